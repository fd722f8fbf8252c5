//! What a resource's argument refers to, when its value is known only once applied.
//!
//! A new bucket's `id` is unknown in a plan, so `aws_s3_bucket_versioning.x.bucket =
//! aws_s3_bucket.logs.id` has no value to join on; the configuration says instead that the
//! argument refers to `["aws_s3_bucket.logs.id", "aws_s3_bucket.logs"]`. A reference is
//! resolved within the module instance of the resource that makes it (references never cross
//! a module boundary except through `var.NAME` (the call's argument, resolved in the caller)
//! and `module.NAME.OUTPUT` (the output's expression, resolved in the child instance)). Among
//! the instances of a resource with count or for_each, the one with the referring resource's
//! own index is taken (`aws_s3_bucket.logs[each.key]`), else the only one; several candidates
//! and no index to choose are no answer, never a guess. `local.NAME` is followed through the
//! references of the local's expression (locals.rs, read from the configuration directory),
//! resolved in the same module instance.

use super::address::{self, Address};
use super::locals::Locals;
use super::plan::{ConfigResource, Plan};
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap, HashSet};

/// References are followed through at most this many module boundaries (a loop of outputs
/// cannot be written in Terraform, but a hand-made plan could hold one).
const MAX_HOPS: usize = 16;

/// One managed resource instance the plan keeps (destroyed ones are left out by the caller).
#[derive(Debug, Clone)]
pub struct Instance<'p> {
    /// The full address, `module.a.aws_s3_bucket.logs[0]`.
    pub address: &'p str,
    pub parts: Address,
    pub index: Option<&'p Value>,
    /// The planned values (known ones).
    pub values: &'p Value,
    /// The change's `after_unknown` (Null when the plan has no change for it).
    pub unknown: &'p Value,
    /// The resource block as written, when the plan has the configuration.
    pub config: Option<&'p ConfigResource>,
}

/// The instances of a plan and the configuration to resolve their references.
#[derive(Debug)]
pub struct Resolver<'p> {
    pub plan: &'p Plan,
    instances: Vec<Instance<'p>>,
    /// Every module instance the planned values hold (`module.a["x"]`), and the root ("").
    modules: BTreeSet<String>,
    /// (module instance, `TYPE.NAME`) → the resource's instances, in plan order.
    by_resource: HashMap<(String, String), Vec<usize>>,
    /// (module instance, `TYPE.NAME`, `[KEY]`) → that instance of a resource with count or
    /// for_each, so that 10,000 references into a counted resource do not search its list.
    by_index: HashMap<(String, String, String), usize>,
    /// The configuration's locals, when its directory was given.
    locals: Locals,
}

impl<'p> Resolver<'p> {
    pub fn new(plan: &'p Plan, instances: Vec<Instance<'p>>, modules: BTreeSet<String>, locals: Locals) -> Self {
        let mut by_resource: HashMap<(String, String), Vec<usize>> = HashMap::new();
        let mut by_index = HashMap::new();
        for (i, instance) in instances.iter().enumerate() {
            let resource = (instance.parts.module.clone(), instance.parts.in_module());
            if let Some(index) = &instance.parts.index {
                by_index.entry((resource.0.clone(), resource.1.clone(), index.clone())).or_insert(i);
            }
            by_resource.entry(resource).or_default().push(i);
        }
        Resolver { plan, instances, modules, by_resource, by_index, locals }
    }

    pub fn instances(&self) -> &[Instance<'p>] {
        &self.instances
    }

    /// The instances of the resource `TYPE.NAME` in a module instance, in plan order.
    pub fn instances_of(&self, module: &str, resource_type: &str, name: &str) -> impl Iterator<Item = &Instance<'p>> {
        let indices = self.by_resource.get(&(module.to_owned(), format!("{resource_type}.{name}")));
        indices.into_iter().flatten().map(|&i| &self.instances[i])
    }

    /// The instance that the argument at `path` of `from` refers to (`["bucket"]`,
    /// `["rule", "0", "apply_server_side_encryption_by_default", "0", "kms_master_key_id"]`).
    pub fn referenced(&self, from: &Instance<'p>, path: &[&str]) -> Option<&Instance<'p>> {
        let expression = expression_at(&from.config?.expressions, path)?;
        let references = references(expression);
        self.resolve(&from.parts.module, &references, from.index, &Walk::default())
    }

    /// The instance one of `references` names, made in module instance `module`.
    fn resolve(&self, module: &str, references: &[&str], hint: Option<&Value>, walk: &Walk) -> Option<&Instance<'p>> {
        if walk.hops.get() > MAX_HOPS {
            return None;
        }
        references.iter().find_map(|reference| {
            let segments = address::split(reference);
            let indirect = matches!(segments.as_slice(), ["var" | "module" | "local", ..]);
            if indirect && !walk.first_visit(module, reference, hint) {
                return None;
            }
            let _deeper = indirect.then(|| walk.deeper());
            match segments.as_slice() {
                ["var", name, ..] => self.through_variable(module, address::without_index(name).0, walk),
                ["module", call, output, ..] => {
                    let (call, explicit) = address::without_index(call);
                    self.through_output(module, call, explicit, output, walk)
                }
                ["local", name, ..] => {
                    let references = self.locals.references(&address::module_path(module), address::without_index(name).0)?;
                    let references: Vec<&str> = references.iter().map(String::as_str).collect();
                    self.resolve(module, &references, hint, walk)
                }
                [first, ..] if matches!(*first, "data" | "each" | "count" | "path" | "self" | "terraform") => None,
                [resource_type, name, ..] => {
                    let (name, explicit) = address::without_index(name);
                    self.instance_of(module, resource_type, name, explicit, hint)
                }
                _ => None,
            }
        })
    }

    /// `var.NAME` inside a module instance: what the caller passes, resolved in the caller.
    fn through_variable(&self, module: &str, name: &str, walk: &Walk) -> Option<&Instance<'p>> {
        let (parent, call) = address::parent_module(module)?;
        let caller = self.plan.config_module(&address::module_path(&parent))?;
        let expression = caller.module_calls.get(&call)?.expressions.get(name)?;
        self.resolve(&parent, &references(expression), None, walk)
    }

    /// `module.CALL.OUTPUT`: the output's expression, resolved in an instance of the call: the
    /// one the reference names (`module.CALL["KEY"].OUTPUT`, a constant key), else the only
    /// one. (A key that is not a constant, `module.CALL[each.key]`, leaves no output in the
    /// references: they are `module.CALL` and `each.key`.)
    fn through_output(&self, module: &str, call: &str, explicit: Option<&str>, output: &str, walk: &Walk) -> Option<&Instance<'p>> {
        let here = self.plan.config_module(&address::module_path(module))?;
        let expression = &here.module_calls.get(call)?.module.outputs.get(output)?.expression;
        let prefix = if module.is_empty() { format!("module.{call}") } else { format!("{module}.module.{call}") };
        let child = match explicit {
            Some(key) => self.modules.get(&format!("{prefix}{key}")),
            None => self.only_instance_of_call(&prefix),
        }?;
        self.resolve(child, &references(expression), None, walk)
    }

    /// The one instance of a module call (`module.a`, or `module.a[0]` alone), none when the
    /// call has several. The module instances sort after their call's prefix, so only those
    /// that start with it are looked at.
    fn only_instance_of_call(&self, prefix: &str) -> Option<&String> {
        let mut instances = self
            .modules
            .range::<str, _>((std::ops::Bound::Included(prefix), std::ops::Bound::Unbounded))
            .take_while(|m| m.starts_with(prefix))
            .filter(|m| m.len() == prefix.len() || (m[prefix.len()..].starts_with('[') && !m[prefix.len()..].contains("].")));
        let child = instances.next()?;
        match instances.next() {
            Some(_) => None,
            None => Some(child),
        }
    }

    fn instance_of(&self, module: &str, resource_type: &str, name: &str, explicit: Option<&str>, hint: Option<&Value>) -> Option<&Instance<'p>> {
        let resource = format!("{resource_type}.{name}");
        let candidates = self.by_resource.get(&(module.to_owned(), resource.clone()))?;
        let pick = |index: &str| self.by_index.get(&(module.to_owned(), resource.clone(), index.to_owned()));
        let chosen = match (explicit, hint.map(address::index_text)) {
            (Some(index), _) => pick(index),
            (None, Some(index)) => pick(&index).or_else(|| only(candidates)),
            (None, None) => only(candidates),
        };
        chosen.map(|&i| &self.instances[i])
    }
}

/// One search through variables, outputs and locals: how deep it is, and which of them it has
/// already followed. A reference followed once and found wanting (the search went on) finds
/// nothing the second time either, so it is not followed again: without that, references that
/// fan out (a local of ten locals of ten locals...) would make a hostile plan take forever.
#[derive(Default)]
struct Walk {
    hops: Cell<usize>,
    followed: RefCell<HashSet<String>>,
}

impl Walk {
    /// Whether `reference`, made in `module` with `hint`, is followed for the first time.
    fn first_visit(&self, module: &str, reference: &str, hint: Option<&Value>) -> bool {
        self.followed.borrow_mut().insert(format!("{module} {reference} {hint:?}"))
    }

    /// One hop deeper until the guard is dropped.
    fn deeper(&self) -> Deeper<'_> {
        self.hops.set(self.hops.get() + 1);
        Deeper(self)
    }
}

struct Deeper<'w>(&'w Walk);

impl Drop for Deeper<'_> {
    fn drop(&mut self) {
        self.0.hops.set(self.0.hops.get() - 1);
    }
}

fn only(candidates: &[usize]) -> Option<&usize> {
    match candidates {
        [one] => Some(one),
        _ => None,
    }
}

/// The expression at a path of argument names and block indexes.
pub fn expression_at<'v>(expressions: &'v Value, path: &[&str]) -> Option<&'v Value> {
    let mut value = expressions;
    for step in path {
        value = match step.parse::<usize>() {
            Ok(i) => value.get(i)?,
            Err(_) => value.get(*step)?,
        };
    }
    Some(value)
}

/// The references of an expression (`{"references": [...]}`); none for a constant.
pub fn references(expression: &Value) -> Vec<&str> {
    expression.get("references").and_then(Value::as_array).map(|list| list.iter().filter_map(Value::as_str).collect()).unwrap_or_default()
}

/// The value of an expression when it is written as a constant, or as `var.NAME` of the root
/// module (whose value the plan records): how a provider's `region` is usually set.
pub fn constant<'v>(plan: &'v Plan, expression: &'v Value) -> Option<&'v Value> {
    if let Some(value) = expression.get("constant_value") {
        return Some(value);
    }
    references(expression).into_iter().find_map(|reference| match address::split(reference).as_slice() {
        ["var", name] => plan.variables.get(*name).map(|v| &v.value),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::plan;
    use super::*;
    use serde_json::json;
    use std::path::Path;

    /// A plan's instances and module instances, as the loader collects them.
    fn resolver(plan: &Plan) -> Resolver<'_> {
        let (instances, modules) = super::super::kept_instances(plan);
        Resolver::new(plan, instances, modules, Locals::default())
    }

    fn plan(value: Value) -> Plan {
        plan::parse(&value.to_string(), Path::new("plan.json")).expect("a valid plan")
    }

    fn resource(address: &str, index: Option<Value>) -> Value {
        let parts = Address::parse(address).unwrap();
        json!({"address": address, "mode": "managed", "type": parts.resource_type, "name": parts.name, "index": index, "values": {}})
    }

    fn config(address: &str, expressions: Value) -> Value {
        let (t, n) = address.split_once('.').unwrap();
        json!({"address": address, "mode": "managed", "type": t, "name": n, "expressions": expressions})
    }

    fn find<'a>(r: &'a Resolver<'a>, address: &str) -> &'a Instance<'a> {
        r.instances().iter().find(|i| i.address == address).expect("instance")
    }

    #[test]
    fn a_split_resource_joins_its_bucket_in_the_same_module_instance() {
        let p = plan(json!({"format_version": "1.2",
            "planned_values": {"root_module": {
                "resources": [resource("aws_s3_bucket.logs", None), resource("aws_s3_bucket_versioning.x", None)],
                "child_modules": [{"address": "module.m", "resources": [resource("module.m.aws_s3_bucket.logs", None), resource("module.m.aws_s3_bucket_versioning.x", None)]}]}},
            "configuration": {"root_module": {
                "resources": [config("aws_s3_bucket.logs", json!({})), config("aws_s3_bucket_versioning.x", json!({"bucket": {"references": ["aws_s3_bucket.logs.id", "aws_s3_bucket.logs"]}}))],
                "module_calls": {"m": {"source": "./m", "module": {"resources": [config("aws_s3_bucket.logs", json!({})),
                    config("aws_s3_bucket_versioning.x", json!({"bucket": {"references": ["aws_s3_bucket.logs.id", "aws_s3_bucket.logs"]}}))]}}}}}}));
        let r = resolver(&p);
        assert_eq!(r.referenced(find(&r, "aws_s3_bucket_versioning.x"), &["bucket"]).map(|i| i.address), Some("aws_s3_bucket.logs"));
        assert_eq!(
            r.referenced(find(&r, "module.m.aws_s3_bucket_versioning.x"), &["bucket"]).map(|i| i.address),
            Some("module.m.aws_s3_bucket.logs")
        );
        assert!(r.referenced(find(&r, "aws_s3_bucket.logs"), &["bucket"]).is_none(), "no expression, no reference");
    }

    #[test]
    fn for_each_instances_pair_by_key_and_several_without_a_key_are_no_answer() {
        let p = plan(json!({"format_version": "1.2",
            "planned_values": {"root_module": {"resources": [
                resource(r#"aws_s3_bucket.b["a"]"#, Some(json!("a"))), resource(r#"aws_s3_bucket.b["z"]"#, Some(json!("z"))),
                resource(r#"aws_s3_bucket_versioning.v["z"]"#, Some(json!("z"))), resource("aws_cloudtrail.t", None)]}},
            "configuration": {"root_module": {"resources": [
                config("aws_s3_bucket.b", json!({})),
                config("aws_s3_bucket_versioning.v", json!({"bucket": {"references": ["aws_s3_bucket.b", "each.key"]}})),
                config("aws_cloudtrail.t", json!({"s3_bucket_name": {"references": ["aws_s3_bucket.b"]}}))]}}}));
        let r = resolver(&p);
        assert_eq!(r.referenced(find(&r, r#"aws_s3_bucket_versioning.v["z"]"#), &["bucket"]).map(|i| i.address), Some(r#"aws_s3_bucket.b["z"]"#));
        assert!(r.referenced(find(&r, "aws_cloudtrail.t"), &["s3_bucket_name"]).is_none());
    }

    #[test]
    fn references_cross_modules_through_variables_and_outputs() {
        let p = plan(json!({"format_version": "1.2",
            "planned_values": {"root_module": {"resources": [resource("aws_cloudtrail.t", None)],
                "child_modules": [{"address": "module.logs", "resources": [resource("module.logs.aws_s3_bucket.this", None)]},
                                  {"address": "module.key", "resources": [resource("module.key.aws_s3_bucket_versioning.v", None)]}]}},
            "configuration": {"root_module": {
                "resources": [config("aws_cloudtrail.t", json!({"s3_bucket_name": {"references": ["module.logs.bucket_id", "module.logs"]}}))],
                "module_calls": {
                    "logs": {"source": "./logs", "module": {"resources": [config("aws_s3_bucket.this", json!({}))],
                        "outputs": {"bucket_id": {"expression": {"references": ["aws_s3_bucket.this.id", "aws_s3_bucket.this"]}}}}},
                    "key": {"source": "./key", "expressions": {"bucket": {"references": ["module.logs.bucket_id", "module.logs"]}},
                        "module": {"resources": [config("aws_s3_bucket_versioning.v", json!({"bucket": {"references": ["var.bucket"]}}))]}}}}}}));
        let r = resolver(&p);
        assert_eq!(r.referenced(find(&r, "aws_cloudtrail.t"), &["s3_bucket_name"]).map(|i| i.address), Some("module.logs.aws_s3_bucket.this"));
        assert_eq!(
            r.referenced(find(&r, "module.key.aws_s3_bucket_versioning.v"), &["bucket"]).map(|i| i.address),
            Some("module.logs.aws_s3_bucket.this")
        );
    }

    #[test]
    fn an_output_of_a_module_with_for_each_is_read_in_the_instance_the_reference_names() {
        let p = plan(json!({"format_version": "1.2",
            "planned_values": {"root_module": {"resources": [resource("aws_cloudtrail.b", None), resource("aws_cloudtrail.any", None)],
                "child_modules": [
                    {"address": "module.logs[\"a\"]", "resources": [resource("module.logs[\"a\"].aws_s3_bucket.this", None)]},
                    {"address": "module.logs[\"b\"]", "resources": [resource("module.logs[\"b\"].aws_s3_bucket.this", None)]},
                    {"address": "module.logsb", "resources": [resource("module.logsb.aws_s3_bucket.this", None)]}]}},
            "configuration": {"root_module": {
                "resources": [
                    config("aws_cloudtrail.b", json!({"s3_bucket_name": {"references": ["module.logs[\"b\"].bucket_id", "module.logs[\"b\"]"]}})),
                    config("aws_cloudtrail.any", json!({"s3_bucket_name": {"references": ["module.logs.bucket_id", "module.logs"]}}))],
                "module_calls": {
                    "logs": {"source": "./logs", "module": {"resources": [config("aws_s3_bucket.this", json!({}))],
                        "outputs": {"bucket_id": {"expression": {"references": ["aws_s3_bucket.this.id", "aws_s3_bucket.this"]}}}}},
                    "logsb": {"source": "./logs", "module": {"resources": [config("aws_s3_bucket.this", json!({}))],
                        "outputs": {"bucket_id": {"expression": {"references": ["aws_s3_bucket.this.id", "aws_s3_bucket.this"]}}}}}}}}}));
        let r = resolver(&p);
        assert_eq!(r.referenced(find(&r, "aws_cloudtrail.b"), &["s3_bucket_name"]).map(|i| i.address), Some("module.logs[\"b\"].aws_s3_bucket.this"));
        assert!(r.referenced(find(&r, "aws_cloudtrail.any"), &["s3_bucket_name"]).is_none(), "two instances and no key: no answer, never a guess");
        assert_eq!(
            r.only_instance_of_call("module.logsb").map(String::as_str),
            Some("module.logsb"),
            "module.logsb is not an instance of module.logs"
        );
    }

    #[test]
    fn locals_are_followed_and_a_loop_of_them_is_no_answer() {
        let p = plan(json!({"format_version": "1.2",
            "planned_values": {"root_module": {"resources": [resource("aws_s3_bucket.logs", None), resource("aws_cloudtrail.t", None),
                resource("aws_s3_bucket_versioning.v", None)]}},
            "configuration": {"root_module": {"resources": [config("aws_s3_bucket.logs", json!({})),
                config("aws_cloudtrail.t", json!({"s3_bucket_name": {"references": ["local.a"]}})),
                config("aws_s3_bucket_versioning.v", json!({"bucket": {"references": ["local.c"]}}))]}}}));
        let text = "locals {\n  a = local.b\n  b = local.a\n  c = local.d\n  d = aws_s3_bucket.logs.id\n}\n";
        let files = [super::super::locate::ConfigFile { module_path: Vec::new(), path: "locals.tf".into(), text: text.to_owned() }];
        let mut r = resolver(&p);
        r.locals = Locals::from_files(&files);
        assert_eq!(r.referenced(find(&r, "aws_s3_bucket_versioning.v"), &["bucket"]).map(|i| i.address), Some("aws_s3_bucket.logs"));
        assert!(r.referenced(find(&r, "aws_cloudtrail.t"), &["s3_bucket_name"]).is_none(), "a loop of locals ends, unanswered");

        // Thirty locals that each name all thirty, sixteen hops deep, are 30^16 paths; each is
        // followed once, so this ends at once.
        let names: Vec<String> = (0..30).map(|i| format!("local.l{i}")).collect();
        let text: String = (0..30).map(|i| format!("  l{i} = [{}]\n", names.join(", "))).collect();
        let files = [super::super::locate::ConfigFile { module_path: Vec::new(), path: "fan.tf".into(), text: format!("locals {{\n{text}}}\n") }];
        r.locals = Locals::from_files(&files);
        let trail = find(&r, "aws_cloudtrail.t").clone();
        let mut fanned = trail.config.unwrap().clone();
        fanned.expressions = json!({"s3_bucket_name": {"references": ["local.l0"]}});
        let from = Instance { config: Some(&fanned), ..trail };
        assert!(r.referenced(&from, &["s3_bucket_name"]).is_none());
    }

    #[test]
    fn a_constant_or_a_root_variable_is_a_value() {
        let p = plan(json!({"format_version": "1.2", "variables": {"region": {"value": "eu-west-1"}}, "planned_values": {"root_module": {}}}));
        assert_eq!(constant(&p, &json!({"references": ["var.region"]})), Some(&json!("eu-west-1")));
        assert_eq!(constant(&p, &json!({"constant_value": "us-west-2"})), Some(&json!("us-west-2")));
        assert_eq!(constant(&p, &json!({"references": ["data.aws_region.current.name"]})), None);
    }
}
