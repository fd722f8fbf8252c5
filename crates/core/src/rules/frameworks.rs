//! The compliance frameworks that rules map to. A rule naming any other framework id is
//! refused at load, so that `--framework` and the reports never meet a typo.

/// (id, display name).
pub const FRAMEWORKS: [(&str, &str); 10] = [
    ("cis-aws-foundations-v1.2.0", "CIS AWS Foundations Benchmark v1.2.0"),
    ("cis-aws-foundations-v1.4.0", "CIS AWS Foundations Benchmark v1.4.0"),
    ("cis-aws-foundations-v3.0.0", "CIS AWS Foundations Benchmark v3.0.0"),
    ("cis-aws-foundations-v4.0.1", "CIS AWS Foundations Benchmark v4.0.1"),
    ("cis-aws-foundations-v5.0.0", "CIS AWS Foundations Benchmark v5.0.0"),
    ("cis-aws-foundations-v6.0.0", "CIS AWS Foundations Benchmark v6.0.0"),
    ("aws-security-hub", "AWS Security Hub CSPM controls"),
    ("aws-config", "AWS Config managed rules"),
    ("nist-800-53-r5", "NIST SP 800-53 Rev. 5"),
    ("pci-dss-v4.0.1", "PCI DSS v4.0.1"),
];

pub fn display_name(id: &str) -> Option<&'static str> {
    FRAMEWORKS.iter().find(|(i, _)| *i == id).map(|(_, name)| *name)
}

pub fn ids() -> impl Iterator<Item = &'static str> {
    FRAMEWORKS.iter().map(|(id, _)| *id)
}
