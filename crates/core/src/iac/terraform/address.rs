//! Terraform addresses: `module.a["x"].module.b.aws_s3_bucket.logs[0]` taken apart into the
//! module instance (`module.a["x"].module.b`), the module path as configured (`a.b`, the key
//! of `.terraform/modules/modules.json`), and the resource (`aws_s3_bucket`, `logs`, `[0]`).

/// A managed resource instance's address, taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// The module instance: `module.a["x"].module.b`, empty for the root module.
    pub module: String,
    /// The module calls from the root, without instance keys: `["a", "b"]`.
    pub module_path: Vec<String>,
    pub resource_type: String,
    pub name: String,
    /// `[0]` or `["key"]` as written, when the resource has count or for_each.
    pub index: Option<String>,
}

impl Address {
    /// Parses a managed resource address; None for a data source or anything else.
    pub fn parse(address: &str) -> Option<Address> {
        let segments = split(address);
        let mut module_segments: Vec<&str> = Vec::new();
        let mut module_path = Vec::new();
        let mut rest = segments.as_slice();
        while let [keyword, call, tail @ ..] = rest {
            if *keyword != "module" {
                break;
            }
            module_segments.push(keyword);
            module_segments.push(call);
            module_path.push(without_index(call).0.to_owned());
            rest = tail;
        }
        let [resource_type, name] = rest else { return None };
        if *resource_type == "data" || resource_type.contains('[') {
            return None;
        }
        let (name, index) = without_index(name);
        Some(Address {
            module: module_segments.join("."),
            module_path,
            resource_type: (*resource_type).to_owned(),
            name: name.to_owned(),
            index: index.map(str::to_owned),
        })
    }

    /// `aws_s3_bucket.logs`: the resource as its module declares it.
    pub fn in_module(&self) -> String {
        format!("{}.{}", self.resource_type, self.name)
    }
}

/// The module instance address's module path (`module.a["x"].module.b` → `["a", "b"]`).
pub fn module_path(module: &str) -> Vec<String> {
    let segments = split(module);
    segments.chunks(2).filter(|pair| pair.len() == 2 && pair[0] == "module").map(|pair| without_index(pair[1]).0.to_owned()).collect()
}

/// The module instance's parent and the call's name: `module.a["x"].module.b` →
/// (`module.a["x"]`, `b`); None for the root.
pub fn parent_module(module: &str) -> Option<(String, String)> {
    let segments = split(module);
    let (call, parent) = match segments.as_slice() {
        [parent @ .., keyword, call] if *keyword == "module" => (call, parent),
        _ => return None,
    };
    Some((parent.join("."), without_index(call).0.to_owned()))
}

/// Splits at the dots outside brackets and quoted keys (`a["x.y"].b` → `a["x.y"]`, `b`).
pub fn split(address: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut depth, mut quoted, mut escaped) = (0, 0usize, false, false);
    for (i, c) in address.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth = depth.saturating_sub(1),
            '.' if !quoted && depth == 0 => {
                parts.push(&address[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&address[start..]);
    parts
}

/// `logs[0]` → (`logs`, Some(`[0]`)); `logs` → (`logs`, None).
pub fn without_index(segment: &str) -> (&str, Option<&str>) {
    match segment.find('[') {
        Some(at) => (&segment[..at], Some(&segment[at..])),
        None => (segment, None),
    }
}

/// The index of a planned resource (`0`, `"key"`) written as in an address (`[0]`, `["key"]`).
pub fn index_text(index: &serde_json::Value) -> String {
    format!("[{index}]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nested_module_instance_address_is_taken_apart() {
        let a = Address::parse(r#"module.a["x.y"].module.b.aws_s3_bucket.logs[0]"#).expect("a managed resource");
        assert_eq!(a.module, r#"module.a["x.y"].module.b"#);
        assert_eq!(a.module_path, ["a", "b"]);
        assert_eq!((a.resource_type.as_str(), a.name.as_str(), a.index.as_deref()), ("aws_s3_bucket", "logs", Some("[0]")));
        assert_eq!(a.in_module(), "aws_s3_bucket.logs");
        assert_eq!(parent_module(&a.module), Some((r#"module.a["x.y"]"#.to_owned(), "b".to_owned())));
        assert_eq!(module_path(&a.module), ["a", "b"]);
    }

    #[test]
    fn root_resources_and_data_sources() {
        let a = Address::parse(r#"aws_kms_key.k["east"]"#).expect("a managed resource");
        assert_eq!((a.module.as_str(), a.index.as_deref()), ("", Some(r#"["east"]"#)));
        assert!(Address::parse("data.aws_caller_identity.current").is_none());
        assert!(Address::parse("module.a.data.aws_region.r").is_none());
        assert_eq!(parent_module(""), None);
        assert_eq!(index_text(&serde_json::json!("east")), r#"["east"]"#);
        assert_eq!(index_text(&serde_json::json!(2)), "[2]");
    }
}
