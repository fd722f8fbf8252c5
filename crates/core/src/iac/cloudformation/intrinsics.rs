//! Intrinsic functions, parameters, pseudo parameters, mappings and conditions: a template's
//! values as they will be when it is deployed, or why they cannot be known before.
//!
//! A value is known, unknown until the stack is created (a parameter without a default, the
//! stack's name, an attribute AWS generates), or `AWS::NoValue` (the property is left out).
//! A reference to nothing and an unknown function are errors: a template CloudFormation would
//! refuse is not scanned as if it were valid.

use crate::iac::SourceScope;
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

/// A resolved value.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Resolved {
    Known(Value),
    /// Known only once the stack is created; says why.
    Unknown(String),
    /// `AWS::NoValue`: the property or list element is left out.
    NoValue,
}

/// What an intrinsic needs of its template.
pub(super) struct Template<'t> {
    pub scope: &'t SourceScope,
    pub parameters: &'t Map<String, Value>,
    pub mappings: &'t Map<String, Value>,
    pub conditions: &'t Map<String, Value>,
    pub resources: &'t Map<String, Value>,
    /// What has been and is being evaluated of the conditions and resource names.
    pub evaluation: Evaluation,
}

/// The conditions and resource names of one template, each evaluated once: a template that
/// names one many times over (a condition of ten conditions of ten conditions...) takes as
/// long as its text, and one that depends on itself (which CloudFormation refuses) is an
/// error naming the loop, not an endless descent.
#[derive(Debug, Default)]
pub(super) struct Evaluation {
    /// Being evaluated, outermost first.
    stack: RefCell<Vec<String>>,
    conditions: RefCell<HashMap<String, Option<bool>>>,
    names: RefCell<HashMap<String, String>>,
}

/// The longest resource name a template may resolve to: AWS's names are at most 512
/// characters (a log group's); past this, a name built by doubling another (`!Sub
/// "${A}${A}"`, over and over) is an error before it fills the memory.
const MAX_NAME: usize = 4096;

type Outcome = Result<Resolved, String>;

impl Template<'_> {
    /// Resolves every intrinsic in `value`; `path` names it in errors.
    pub fn resolve(&self, value: &Value, path: &str) -> Outcome {
        match value {
            Value::Array(items) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    match self.resolve(item, &format!("{path}[{i}]"))? {
                        Resolved::Known(v) => out.push(v),
                        Resolved::NoValue => {}
                        unknown => return Ok(unknown),
                    }
                }
                Ok(Resolved::Known(Value::Array(out)))
            }
            Value::Object(map) if map.len() == 1 => {
                let (key, argument) = map.iter().next().expect("one entry");
                if key == "Ref" {
                    return self.reference(argument, path);
                }
                if let Some(function) = key.strip_prefix("Fn::") {
                    return self.function(function, argument, &format!("{path}.{key}"));
                }
                if key == "Condition" {
                    return Ok(self.condition_named(argument, path)?.map_or_else(
                        || Resolved::Unknown("a condition depends on values known at deployment".to_owned()),
                        |b| Resolved::Known(Value::Bool(b)),
                    ));
                }
                self.object(map, path)
            }
            Value::Object(map) => self.object(map, path),
            other => Ok(Resolved::Known(other.clone())),
        }
    }

    fn object(&self, map: &Map<String, Value>, path: &str) -> Outcome {
        let mut out = Map::new();
        for (key, value) in map {
            match self.resolve(value, &format!("{path}.{key}"))? {
                Resolved::Known(v) => {
                    out.insert(key.clone(), v);
                }
                Resolved::NoValue => {}
                unknown => return Ok(unknown),
            }
        }
        Ok(Resolved::Known(Value::Object(out)))
    }

    /// A resolved value that must be known, else the reason it is not.
    fn known(&self, value: &Value, path: &str) -> Result<Result<Value, String>, String> {
        Ok(match self.resolve(value, path)? {
            Resolved::Known(v) => Ok(v),
            Resolved::Unknown(why) => Err(why),
            Resolved::NoValue => Ok(Value::Null),
        })
    }

    fn reference(&self, argument: &Value, path: &str) -> Outcome {
        let Some(name) = argument.as_str() else { return Err(format!("{path}: Ref takes a name, not {argument}")) };
        let scope = self.scope;
        let known = |s: &str| Ok(Resolved::Known(Value::String(s.to_owned())));
        match name {
            "AWS::Region" => return known(&scope.region),
            "AWS::AccountId" => return known(&scope.account_id),
            "AWS::Partition" => return known(&scope.partition),
            "AWS::URLSuffix" => return known("amazonaws.com"),
            "AWS::NoValue" => return Ok(Resolved::NoValue),
            "AWS::StackName" | "AWS::StackId" | "AWS::NotificationARNs" => {
                return Ok(Resolved::Unknown(format!("{name} is known once the stack is created")))
            }
            _ => {}
        }
        if let Some(parameter) = self.parameters.get(name) {
            return Ok(match parameter.get("Default") {
                None => Resolved::Unknown(format!("parameter {name} has no default")),
                Some(default) => {
                    let kind = parameter.get("Type").and_then(Value::as_str).unwrap_or("String");
                    match (kind, default) {
                        (kind, Value::String(s)) if kind == "CommaDelimitedList" || kind.starts_with("List<") => {
                            Resolved::Known(Value::Array(s.split(',').map(|p| Value::String(p.trim().to_owned())).collect()))
                        }
                        (_, v) => Resolved::Known(v.clone()),
                    }
                }
            });
        }
        if self.resources.contains_key(name) {
            return self.resource_ref(name);
        }
        Err(format!("{path}: Ref to `{name}`, which is neither a parameter, a resource nor a pseudo parameter"))
    }

    /// The type of a resource.
    pub fn resource_type(&self, logical_id: &str) -> &str {
        self.resources.get(logical_id).and_then(|r| r.get("Type")).and_then(Value::as_str).unwrap_or("")
    }

    /// A name property of a resource when it is known; else its logical ID stands in for the
    /// name CloudFormation generates, so that references still join.
    pub fn physical_name(&self, logical_id: &str, property: &str) -> Result<String, String> {
        let Some(value) = self.resources.get(logical_id).and_then(|r| r.get("Properties")).and_then(|p| p.get(property)) else {
            return Ok(logical_id.to_owned());
        };
        let key = format!("Resources.{logical_id}.Properties.{property}");
        if let Some(name) = self.evaluation.names.borrow().get(&key) {
            return Ok(name.clone());
        }
        let name = match self.guarded(&key, &key, || self.resolve(value, &key))? {
            Resolved::Known(Value::String(s)) if s.len() > MAX_NAME => {
                return Err(format!("{key} resolves to a name of {} characters; no AWS name is longer than {MAX_NAME}", s.len()))
            }
            Resolved::Known(Value::String(s)) => s,
            _ => logical_id.to_owned(),
        };
        self.evaluation.names.borrow_mut().insert(key, name.clone());
        Ok(name)
    }

    /// `evaluate`, for what `key` names (a condition, a resource's name), unless `key` is
    /// already being evaluated: then it depends on itself, an error naming the loop.
    fn guarded<T>(&self, key: &str, path: &str, evaluate: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
        let stack = &self.evaluation.stack;
        if stack.borrow().iter().any(|k| k == key) {
            let chain = stack.borrow().join(" → ");
            return Err(format!("{path}: {key} depends on itself ({chain} → {key})"));
        }
        stack.borrow_mut().push(key.to_owned());
        let value = evaluate();
        stack.borrow_mut().pop();
        value
    }

    /// What `Ref` returns for a resource (CloudFormation's documented return value per type).
    fn resource_ref(&self, logical_id: &str) -> Outcome {
        let scope = self.scope;
        let value = match self.resource_type(logical_id) {
            "AWS::S3::Bucket" => self.physical_name(logical_id, "BucketName")?,
            "AWS::CloudTrail::Trail" => self.physical_name(logical_id, "TrailName")?,
            "AWS::CloudTrail::EventDataStore" => scope.event_data_store_arn(&scope.region, &self.physical_name(logical_id, "Name")?),
            "AWS::Logs::LogGroup" => self.physical_name(logical_id, "LogGroupName")?,
            "AWS::Events::Rule" => self.physical_name(logical_id, "Name")?,
            "AWS::CloudWatch::Alarm" => self.physical_name(logical_id, "AlarmName")?,
            "AWS::SNS::Topic" => {
                format!("arn:{}:sns:{}:{}:{}", scope.partition, scope.region, scope.account_id, self.physical_name(logical_id, "TopicName")?)
            }
            "AWS::IAM::Role" => self.physical_name(logical_id, "RoleName")?,
            // KMS keys and most other resources: the id AWS generates; the logical ID stands in.
            _ => logical_id.to_owned(),
        };
        Ok(Resolved::Known(Value::String(value)))
    }

    fn get_att(&self, argument: &Value, path: &str) -> Outcome {
        let parts: Vec<&str> = match argument {
            Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
            Value::String(s) => s.splitn(2, '.').collect(),
            _ => Vec::new(),
        };
        let [logical_id, attribute] = parts[..] else { return Err(format!("{path}: expected [Resource, Attribute], not {argument}")) };
        if !self.resources.contains_key(logical_id) {
            return Err(format!("{path}: GetAtt of `{logical_id}`, which is not a resource of the template"));
        }
        let scope = self.scope;
        let (p, r, a) = (&scope.partition, &scope.region, &scope.account_id);
        let arn = match (self.resource_type(logical_id), attribute) {
            ("AWS::S3::Bucket", "Arn") => format!("arn:{p}:s3:::{}", self.physical_name(logical_id, "BucketName")?),
            ("AWS::KMS::Key", "Arn") => scope.kms_key_arn(logical_id),
            ("AWS::KMS::Key", "KeyId") => logical_id.to_owned(),
            ("AWS::CloudTrail::Trail", "Arn") => scope.trail_arn(r, &self.physical_name(logical_id, "TrailName")?),
            ("AWS::CloudTrail::EventDataStore", "EventDataStoreArn") => scope.event_data_store_arn(r, &self.physical_name(logical_id, "Name")?),
            ("AWS::Logs::LogGroup", "Arn") => format!("arn:{p}:logs:{r}:{a}:log-group:{}:*", self.physical_name(logical_id, "LogGroupName")?),
            ("AWS::IAM::Role", "Arn") => format!("arn:{p}:iam::{a}:role/{}", self.physical_name(logical_id, "RoleName")?),
            ("AWS::SNS::Topic", "TopicArn") => format!("arn:{p}:sns:{r}:{a}:{}", self.physical_name(logical_id, "TopicName")?),
            ("AWS::Events::Rule", "Arn") => format!("arn:{p}:events:{r}:{a}:rule/{}", self.physical_name(logical_id, "Name")?),
            (kind, attribute) => return Ok(Resolved::Unknown(format!("{kind} attribute {attribute} of {logical_id} is known once it is created"))),
        };
        Ok(Resolved::Known(Value::String(arn)))
    }

    fn function(&self, function: &str, argument: &Value, path: &str) -> Outcome {
        let args = |n: usize| -> Result<&Vec<Value>, String> {
            match argument {
                Value::Array(items) if items.len() == n => Ok(items),
                _ => Err(format!("{path}: expected a list of {n} arguments, not {argument}")),
            }
        };
        macro_rules! known {
            ($value:expr, $path:expr) => {
                match self.known($value, $path)? {
                    Ok(v) => v,
                    Err(why) => return Ok(Resolved::Unknown(why)),
                }
            };
        }
        let string = |v: &Value| -> String {
            match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            }
        };
        match function {
            "GetAtt" => self.get_att(argument, path),
            "Join" => {
                let items = args(2)?;
                let delimiter = known!(&items[0], path);
                let list = known!(&items[1], path);
                let Value::Array(list) = list else { return Err(format!("{path}: Fn::Join joins a list, not {list}")) };
                Ok(Resolved::Known(Value::String(list.iter().map(string).collect::<Vec<_>>().join(&string(&delimiter)))))
            }
            "Select" => {
                let items = args(2)?;
                let index = known!(&items[0], path);
                let list = known!(&items[1], path);
                let index = string(&index).parse::<usize>().map_err(|_| format!("{path}: Fn::Select index {index} is not a number"))?;
                match list {
                    Value::Array(list) => list
                        .get(index)
                        .cloned()
                        .map(Resolved::Known)
                        .ok_or_else(|| format!("{path}: Fn::Select index {index} is past the end of the list")),
                    other => Err(format!("{path}: Fn::Select selects from a list, not {other}")),
                }
            }
            "Split" => {
                let items = args(2)?;
                let delimiter = string(&known!(&items[0], path));
                let text = string(&known!(&items[1], path));
                Ok(Resolved::Known(Value::Array(text.split(delimiter.as_str()).map(|s| Value::String(s.to_owned())).collect())))
            }
            "Sub" => self.sub(argument, path),
            "If" => {
                let items = args(3)?;
                match self.condition_named(&items[0], path)? {
                    Some(true) => self.resolve(&items[1], path),
                    Some(false) => self.resolve(&items[2], path),
                    None => Ok(Resolved::Unknown(format!("condition {} depends on values known at deployment", items[0]))),
                }
            }
            "FindInMap" => {
                let items = match argument {
                    Value::Array(items) if items.len() == 3 || items.len() == 4 => items,
                    _ => return Err(format!("{path}: Fn::FindInMap takes [Map, TopKey, SecondKey]")),
                };
                let map = string(&known!(&items[0], path));
                let top = string(&known!(&items[1], path));
                let second = string(&known!(&items[2], path));
                match self.mappings.get(&map).and_then(|m| m.get(&top)).and_then(|m| m.get(&second)) {
                    Some(value) => Ok(Resolved::Known(value.clone())),
                    None => Err(format!("{path}: Fn::FindInMap: mapping {map} has no {top}.{second}")),
                }
            }
            "Base64" => self.resolve(argument, path),
            "ToJsonString" => Ok(Resolved::Known(Value::String(known!(argument, path).to_string()))),
            "Length" => match known!(argument, path) {
                Value::Array(items) => Ok(Resolved::Known(Value::from(items.len()))),
                other => Err(format!("{path}: Fn::Length counts a list, not {other}")),
            },
            "Equals" | "Not" | "And" | "Or" => {
                Ok(self.condition(&Value::Object(Map::from_iter([(format!("Fn::{function}"), argument.clone())])), path)?.map_or_else(
                    || Resolved::Unknown("a condition depends on values known at deployment".to_owned()),
                    |b| Resolved::Known(Value::Bool(b)),
                ))
            }
            "GetAZs" | "ImportValue" | "Cidr" | "Transform" => Ok(Resolved::Unknown(format!("Fn::{function} is resolved at deployment"))),
            other => Err(format!("{path}: unknown intrinsic function Fn::{other}")),
        }
    }

    /// `Fn::Sub`: `${Name}`, `${Resource.Attribute}` and `${!Literal}` in a string, with the
    /// optional variables of the list form.
    fn sub(&self, argument: &Value, path: &str) -> Outcome {
        let (text, variables) = match argument {
            Value::String(s) => (s.as_str(), BTreeMap::<&str, &Value>::new()),
            Value::Array(items) if items.len() == 2 => {
                let Some(text) = items[0].as_str() else { return Err(format!("{path}: Fn::Sub's first argument must be a string")) };
                let Some(variables) = items[1].as_object() else { return Err(format!("{path}: Fn::Sub's variables must be a mapping")) };
                (text, variables.iter().map(|(k, v)| (k.as_str(), v)).collect())
            }
            _ => return Err(format!("{path}: Fn::Sub takes a string or [string, variables]")),
        };
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else { return Err(format!("{path}: Fn::Sub: unclosed `${{` in {text:?}")) };
            let name = &after[..end];
            rest = &after[end + 1..];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
                continue;
            }
            let resolved = match variables.get(name) {
                Some(value) => self.resolve(value, path)?,
                None if name.contains('.') && !name.starts_with("AWS::") => {
                    let (resource, attribute) = name.split_once('.').expect("contains a dot");
                    self.get_att(&Value::from(vec![resource, attribute]), path)?
                }
                None => self.reference(&Value::String(name.to_owned()), path)?,
            };
            match resolved {
                Resolved::Known(Value::String(s)) => out.push_str(&s),
                Resolved::Known(other) => out.push_str(&other.to_string()),
                Resolved::NoValue => {}
                unknown => return Ok(unknown),
            }
        }
        out.push_str(rest);
        Ok(Resolved::Known(Value::String(out)))
    }

    /// A condition by name (`{"Condition": name}`, `Fn::If`'s first argument, a resource's
    /// `Condition`): true, false, or None when it depends on what is known at deployment.
    pub fn condition_named(&self, name: &Value, path: &str) -> Result<Option<bool>, String> {
        let Some(name) = name.as_str() else { return Err(format!("{path}: a condition is named by a string, not {name}")) };
        match self.conditions.get(name) {
            Some(definition) => {
                if let Some(value) = self.evaluation.conditions.borrow().get(name) {
                    return Ok(*value);
                }
                let key = format!("Conditions.{name}");
                let value = self.guarded(&key, path, || self.condition(definition, &key))?;
                self.evaluation.conditions.borrow_mut().insert(name.to_owned(), value);
                Ok(value)
            }
            None => Err(format!("{path}: condition `{name}` is not defined in Conditions")),
        }
    }

    fn condition(&self, definition: &Value, path: &str) -> Result<Option<bool>, String> {
        let Value::Object(map) = definition else { return Err(format!("{path}: a condition must be a function, not {definition}")) };
        let Some((key, argument)) = map.iter().next().filter(|_| map.len() == 1) else {
            return Err(format!("{path}: a condition must be one function"));
        };
        let list = |n: Option<usize>| -> Result<&Vec<Value>, String> {
            match argument {
                Value::Array(items) if n.is_none_or(|n| items.len() == n) => Ok(items),
                _ => Err(format!("{path}.{key}: wrong arguments {argument}")),
            }
        };
        match key.as_str() {
            "Condition" => self.condition_named(argument, path),
            "Fn::Equals" => {
                let items = list(Some(2))?;
                let (Ok(a), Ok(b)) = (self.known(&items[0], path)?, self.known(&items[1], path)?) else { return Ok(None) };
                Ok(Some(scalar(&a) == scalar(&b)))
            }
            "Fn::Not" => Ok(self.condition(&list(Some(1))?[0], path)?.map(|b| !b)),
            "Fn::And" | "Fn::Or" => {
                let is_and = key == "Fn::And";
                let mut unknown = false;
                for item in list(None)? {
                    match self.condition(item, path)? {
                        Some(b) if b != is_and => return Ok(Some(b)),
                        Some(_) => {}
                        None => unknown = true,
                    }
                }
                Ok(if unknown { None } else { Some(is_and) })
            }
            other => Err(format!("{path}: {other} is not a condition function (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition)")),
        }
    }
}

/// CloudFormation compares parameter values as strings.
fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn resolve_in(template: &Value, expression: Value) -> Outcome {
        let scope = SourceScope::default();
        let empty = Map::new();
        let section = |name: &str| template.get(name).and_then(Value::as_object).unwrap_or(&empty);
        let t = Template {
            scope: &scope,
            parameters: section("Parameters"),
            mappings: section("Mappings"),
            conditions: section("Conditions"),
            resources: section("Resources"),
            evaluation: Default::default(),
        };
        t.resolve(&expression, "Test")
    }

    fn template() -> Value {
        json!({
            "Parameters": {
                "Env": {"Type": "String", "Default": "prod"},
                "Open": {"Type": "String"},
                "Names": {"Type": "CommaDelimitedList", "Default": "a, b"}
            },
            "Mappings": {"Retention": {"prod": {"Days": 365}}},
            "Conditions": {
                "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
                "IsOpen": {"Fn::Equals": [{"Ref": "Open"}, "yes"]},
                "ProdOrOpen": {"Fn::Or": [{"Condition": "IsProd"}, {"Condition": "IsOpen"}]},
                "ProdAndOpen": {"Fn::And": [{"Condition": "IsProd"}, {"Condition": "IsOpen"}]}
            },
            "Resources": {
                "Logs": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Fn::Sub": "${Env}-logs"}}},
                "Anon": {"Type": "AWS::S3::Bucket"},
                "Key": {"Type": "AWS::KMS::Key"}
            }
        })
    }

    fn known(v: Value) -> Outcome {
        Ok(Resolved::Known(v))
    }

    #[test]
    fn refs_to_parameters_pseudo_parameters_and_resources() {
        let t = template();
        assert_eq!(resolve_in(&t, json!({"Ref": "Env"})), known(json!("prod")));
        assert!(matches!(resolve_in(&t, json!({"Ref": "Open"})), Ok(Resolved::Unknown(why)) if why.contains("Open has no default")));
        assert_eq!(resolve_in(&t, json!({"Ref": "Names"})), known(json!(["a", "b"])));
        assert_eq!(resolve_in(&t, json!({"Ref": "AWS::Region"})), known(json!("us-east-1")));
        assert!(matches!(resolve_in(&t, json!({"Ref": "AWS::StackName"})), Ok(Resolved::Unknown(_))));
        assert_eq!(resolve_in(&t, json!({"Ref": "Logs"})), known(json!("prod-logs")));
        assert_eq!(resolve_in(&t, json!({"Ref": "Anon"})), known(json!("Anon")), "the logical ID stands in for a generated name");
        let missing = resolve_in(&t, json!({"Ref": "Nothing"})).unwrap_err();
        assert!(missing.contains("Ref to `Nothing`"), "{missing}");
    }

    #[test]
    fn get_att_sub_join_select_split_and_find_in_map() {
        let t = template();
        assert_eq!(resolve_in(&t, json!({"Fn::GetAtt": ["Logs", "Arn"]})), known(json!("arn:aws:s3:::prod-logs")));
        assert_eq!(resolve_in(&t, json!({"Fn::GetAtt": ["Key", "Arn"]})), known(json!("arn:aws:kms:us-east-1:000000000000:key/Key")));
        assert_eq!(
            resolve_in(&t, json!({"Fn::Sub": "${Logs.Arn}/${!Literal}/${AWS::AccountId}"})),
            known(json!("arn:aws:s3:::prod-logs/${Literal}/000000000000"))
        );
        assert_eq!(resolve_in(&t, json!({"Fn::Sub": ["${X}-y", {"X": {"Ref": "Env"}}]})), known(json!("prod-y")));
        assert_eq!(resolve_in(&t, json!({"Fn::Join": ["-", ["a", {"Ref": "Env"}]]})), known(json!("a-prod")));
        assert_eq!(resolve_in(&t, json!({"Fn::Select": [1, {"Fn::Split": [",", "x,y,z"]}]})), known(json!("y")));
        assert_eq!(resolve_in(&t, json!({"Fn::FindInMap": ["Retention", {"Ref": "Env"}, "Days"]})), known(json!(365)));
        assert!(matches!(resolve_in(&t, json!({"Fn::Sub": "${AWS::StackName}-logs"})), Ok(Resolved::Unknown(_))));
        assert!(resolve_in(&t, json!({"Fn::GetAtt": ["Nope", "Arn"]})).unwrap_err().contains("Nope"));
        assert!(resolve_in(&t, json!({"Fn::Bogus": 1})).unwrap_err().contains("unknown intrinsic function Fn::Bogus"));
    }

    #[test]
    fn conditions_if_and_no_value() {
        let t = template();
        assert_eq!(resolve_in(&t, json!({"Fn::If": ["IsProd", "yes", "no"]})), known(json!("yes")));
        assert!(matches!(resolve_in(&t, json!({"Fn::If": ["IsOpen", 1, 2]})), Ok(Resolved::Unknown(_))));
        // true || unknown is true; true && unknown is unknown.
        assert_eq!(resolve_in(&t, json!({"Fn::If": ["ProdOrOpen", 1, 2]})), known(json!(1)));
        assert!(matches!(resolve_in(&t, json!({"Fn::If": ["ProdAndOpen", 1, 2]})), Ok(Resolved::Unknown(_))));
        assert_eq!(
            resolve_in(&t, json!({"A": {"Fn::If": ["IsProd", {"Ref": "AWS::NoValue"}, 1]}, "B": [1, {"Ref": "AWS::NoValue"}]})),
            known(json!({"B": [1]}))
        );
        assert!(resolve_in(&t, json!({"Fn::If": ["Undefined", 1, 2]})).unwrap_err().contains("Undefined"));
    }

    #[test]
    fn a_condition_or_name_that_depends_on_itself_is_an_error_naming_the_loop() {
        let t = json!({"Conditions": {"A": {"Condition": "B"}, "B": {"Fn::Not": [{"Condition": "A"}]}, "C": {"Fn::Equals": [{"Condition": "C"}, true]},
            "D": {"Fn::And": [{"Condition": "E"}, {"Condition": "E"}]}, "E": {"Fn::Equals": ["a", "a"]}}});
        let error = resolve_in(&t, json!({"Fn::If": ["A", 1, 2]})).unwrap_err();
        assert!(error.contains("Conditions.A depends on itself (Conditions.A → Conditions.B → Conditions.A)"), "{error}");
        assert!(resolve_in(&t, json!({"Fn::If": ["C", 1, 2]})).unwrap_err().contains("(Conditions.C → Conditions.C)"));
        assert_eq!(resolve_in(&t, json!({"Fn::If": ["D", 1, 2]})), known(json!(1)), "a condition used twice is no loop");

        let names = json!({"Resources": {
            "Logs": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Fn::Sub": "${Other}-logs"}}},
            "Other": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Ref": "Logs"}}},
            "Trail": {"Type": "AWS::CloudTrail::Trail", "Properties": {"TrailName": {"Fn::GetAtt": ["Trail", "Arn"]}}},
            "Named": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Ref": "Nowhere"}}}}});
        let error = resolve_in(&names, json!({"Ref": "Logs"})).unwrap_err();
        assert!(error.contains("Resources.Logs.Properties.BucketName depends on itself"), "{error}");
        assert!(error.contains("Resources.Other.Properties.BucketName"), "the loop is named: {error}");
        assert!(resolve_in(&names, json!({"Ref": "Trail"})).unwrap_err().contains("TrailName depends on itself"));
        let error = resolve_in(&names, json!({"Ref": "Named"})).unwrap_err();
        assert!(error.contains("Nowhere"), "a broken name is an error, not the logical ID: {error}");
    }

    #[test]
    fn conditions_and_names_named_many_times_over_are_evaluated_once() {
        // C0 needs C1 twice, C1 needs C2 twice... 2^40 evaluations without memory of them.
        let mut conditions = Map::new();
        let mut resources = Map::new();
        for i in 0..40 {
            let next = format!("C{}", i + 1);
            conditions.insert(format!("C{i}"), json!({"Fn::And": [{"Condition": next}, {"Condition": next}]}));
            resources.insert(
                format!("B{i}"),
                json!({"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Fn::Sub": format!("${{B{}}}${{B{}}}", i + 1, i + 1)}}}),
            );
        }
        conditions.insert("C40".to_owned(), json!({"Fn::Equals": ["a", "a"]}));
        resources.insert("B40".to_owned(), json!({"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "x"}}));
        let t = json!({"Conditions": conditions, "Resources": resources});
        assert_eq!(resolve_in(&t, json!({"Fn::If": ["C0", 1, 2]})), known(json!(1)));
        assert_eq!(resolve_in(&t, json!({"Ref": "B30"})), known(json!("x".repeat(1024))));
        // Doubling on, the name outgrows any AWS name before it outgrows the memory.
        let error = resolve_in(&t, json!({"Ref": "B0"})).unwrap_err();
        assert!(error.contains("Resources.B27.Properties.BucketName resolves to a name of 8192 characters"), "{error}");
    }
}
