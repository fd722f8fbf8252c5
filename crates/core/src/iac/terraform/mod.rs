//! The Terraform plan source (`scan --terraform-plan PLAN.json [--terraform-dir DIR]`): the
//! JSON of `terraform show -json` mapped into the inventory, so that the same rules judge what
//! the plan will make (docs/iac-terraform.md).
//!
//! plan.rs reads the format; references.rs joins what refers to what when values are known
//! only once applied; locate.rs finds each resource's declaration in the `.tf` files; map.rs
//! turns each resource type into inventory facts through the shared builder (`iac`).

mod address;
mod locate;
mod map;
mod plan;
mod references;
mod values;

use crate::diagnostic::Diagnostic;
use crate::inventory::Inventory;
use crate::resource::Location;
use address::Address;
use references::{Instance, Resolver};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

pub use plan::FORMAT_MAJOR;

/// Reads the plan at `plan_path` and, with `dir` (the configuration directory the plan was
/// made in), locates each resource on its `resource` line; without it, on the plan file.
pub fn load(plan_path: &Path, dir: Option<&Path>) -> Result<Inventory, Diagnostic> {
    let plan = plan::read(plan_path)?;
    let locator = match dir {
        Some(dir) => locate::Locator::new(plan_path, dir, &plan)?,
        None => locate::Locator::plan_only(plan_path),
    };
    let (instances, modules) = kept_instances(&plan);
    let resolver = Resolver::new(&plan, instances, modules);
    Ok(map::inventory(&resolver, &locator))
}

impl map::Locate for locate::Locator {
    fn locate(&self, instance: &Instance<'_>) -> Location {
        locate::Locator::locate(self, instance.address, &instance.parts)
    }
}

/// The managed resource instances the plan keeps once applied (not those it destroys), each
/// with its change and configuration, and every module instance.
fn kept_instances(plan: &plan::Plan) -> (Vec<Instance<'_>>, BTreeSet<String>) {
    const NULL: &Value = &Value::Null;
    let changes: HashMap<&str, &plan::Change> = plan.resource_changes.iter().map(|c| (c.address.as_str(), &c.change)).collect();
    let mut modules = BTreeSet::from([String::new()]);
    let Some(values) = &plan.planned_values else { return (Vec::new(), modules) };
    collect_modules(&values.root_module, &mut modules);
    let instances = values
        .root_module
        .all_resources()
        .into_iter()
        .filter(|r| r.mode == "managed" || r.mode.is_empty())
        .filter(|r| !changes.get(r.address.as_str()).is_some_and(|c| c.removes()))
        .filter_map(|r| {
            let parts = Address::parse(&r.address)?;
            let config = config_module(plan, &parts.module_path).and_then(|m| m.resources.iter().find(|c| c.address == parts.in_module()));
            let unknown = changes.get(r.address.as_str()).map_or(NULL, |c| &c.after_unknown);
            Some(Instance { address: &r.address, parts, index: r.index.as_ref(), values: &r.values, unknown, config })
        })
        .collect();
    (instances, modules)
}

fn collect_modules(module: &plan::Module, out: &mut BTreeSet<String>) {
    for child in &module.child_modules {
        if let Some(address) = &child.address {
            out.insert(address.clone());
        }
        collect_modules(child, out);
    }
}

fn config_module<'p>(plan: &'p plan::Plan, path: &[String]) -> Option<&'p plan::ConfigModule> {
    let mut module = &plan.configuration.as_ref()?.root_module;
    for call in path {
        module = &module.module_calls.get(call)?.module;
    }
    Some(module)
}
