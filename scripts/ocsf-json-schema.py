#!/usr/bin/env python3
"""Generates the JSON Schema of one OCSF event class from the sources of the OCSF schema.

OCSF publishes its schema as the repository github.com/ocsf/ocsf-schema (dictionary.json,
categories.json, events/, objects/, profiles/): definitions that a compiler flattens
(`extends`, `$include`, profiles, dictionary attributes) into classes and objects. The
OCSF schema server renders a compiled class as JSON Schema; this script does both steps
for one class, with the Python standard library only, so that the schema trailwarden's
tests validate against can be re-made from a release tag of the repository:

    git clone https://github.com/ocsf/ocsf-schema
    scripts/ocsf-json-schema.py --git-dir ocsf-schema/.git --tag 1.8.0 \\
        --class detection_finding --profile cloud \\
        --out crates/core/tests/ocsf/detection_finding-1.8.0.schema.json

(`--source DIR` reads an unpacked tree instead of a git directory.)

Compilation follows the OCSF schema compiler (github.com/ocsf/ocsf-schema-compiler, the one
the schema server reads its schema from) for the base schema, without extensions:
  - an attribute's `"profile": P` becomes `"profiles": [P]`, and `"profile": null` means the
    attribute belongs to the class whatever the profiles;
  - `"$include"` of a profile adds its attributes tagged with the profile (the item's own
    definitions of them win); an attribute's `"$include"` is merged under the attribute;
  - `extends` merges the parent's attributes under the child's, recursively;
  - a class's uid is category uid * 1000 + its uid; `class_uid`, `category_uid` and
    `type_uid` (class uid * 100 + activity id) get their one-class enums;
  - every attribute is finally its dictionary definition with the item's merged on top
    (enums merge key by key).

The JSON Schema follows the schema server's rendering (lib/schema/json_schema.ex of
github.com/ocsf/ocsf-server: objects as `$defs`, `additionalProperties: false`, required
attributes, enums of ids), and adds what the server's event validator checks beyond types:
  - only the attributes of the profiles given with `--profile` (and of none) are allowed,
    as the server does for a class requested with `?profiles=`;
  - every enum is closed, for strings, integers and longs alike;
  - a data type's `regex`, `max_len` and `range` become `pattern`, `maxLength`,
    `minimum`/`maximum`;
  - `just_one` and `at_least_one` constraints become `oneOf` and `anyOf` of `required`;
  - an enum id's string sibling (`severity` for `severity_id`) must be that id's caption,
    except for 99 (Other), where the source says what it is;
  - `type_uid` must be class uid * 100 + `activity_id`;
  - `metadata.version` must be the schema's version.
"""

import argparse
import copy
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

JSON_SCHEMA = "https://json-schema.org/draft/2020-12/schema"
OTHER = "99"  # the enum value whose sibling is the source's own word, not a caption

# ---------------------------------------------------------------------------------------------
# Reading the sources


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def read_items(base, kind):
    """Every JSON file under base/kind (recursively), keyed by its "name"."""
    items = {}
    for directory, _, files in os.walk(base / kind):
        for name in sorted(files):
            if name.endswith(".json"):
                item = read_json(Path(directory, name))
                if item["name"] in items:
                    sys.exit(f"two {kind} named {item['name']}")
                items[item["name"]] = item
    return items


# ---------------------------------------------------------------------------------------------
# Compiling (the base schema only: no extensions, hence no patches)


def deep_merge(dest, source):
    """Merges source into dest; source wins; lists are replaced, not merged."""
    for key, value in source.items():
        if key in dest and isinstance(dest[key], dict) and isinstance(value, dict):
            deep_merge(dest[key], value)
        else:
            dest[key] = value


RANK = {None: 0, "optional": 1, "recommended": 2, "required": 3}


def merge_attribute(dest, source):
    """An attribute's definition merged over another's, as the compiler merges them."""
    for key, value in source.items():
        if key not in dest:
            dest[key] = value
        elif dest[key] == value:
            pass
        elif key == "profiles":
            dest[key] = None if value is None else sorted(set(dest[key] or []) | set(value))
        elif key == "requirement" and source.get("profiles") is not None and "profiles" in dest:
            # An attribute that two profiles add is as required as the stricter of them.
            dest[key] = max(dest[key], value, key=RANK.get)
        elif isinstance(dest[key], dict) and isinstance(value, dict):
            deep_merge(dest[key], value)
        else:
            dest[key] = value


def merge_attributes(dest, source):
    for name, attribute in source.items():
        if name in dest:
            merge_attribute(dest[name], attribute)
        else:
            dest[name] = attribute


def upgrade_profile(item):
    for attribute in item.get("attributes", {}).values():
        if isinstance(attribute, dict) and "profile" in attribute:
            profile = attribute.pop("profile")
            attribute["profiles"] = None if profile is None else [profile]


def resolve_includes(item, base):
    attributes = item.setdefault("attributes", {})
    includes = attributes.pop("$include", [])
    for include in [includes] if isinstance(includes, str) else includes:
        included = read_json(base / include)
        merged = copy.deepcopy(included.get("attributes", {}))
        for attribute in merged.values():
            if included.get("meta") == "profile":
                attribute["profiles"] = [included["name"]]
            for key, value in included.get("annotations", {}).items():
                attribute.setdefault(key, value)
        merge_attributes(merged, item["attributes"])
        item["attributes"] = merged
    for name, attribute in item["attributes"].items():
        if isinstance(attribute, dict) and "$include" in attribute:
            merged = copy.deepcopy(read_json(base / attribute.pop("$include")))
            deep_merge(merged, attribute)
            item["attributes"][name] = merged


def resolve_extends(items, name, done):
    if name in done or name not in items:
        return
    item = items[name]
    parent_name = item.get("extends")
    if parent_name:
        if parent_name not in items:
            sys.exit(f"{name} extends undefined {parent_name}")
        resolve_extends(items, parent_name, done)
        flat = copy.deepcopy(items[parent_name])
        for key, value in item.items():
            if key == "attributes":
                merge_attributes(flat.setdefault("attributes", {}), value)
            elif key == "profiles":
                flat["profiles"] = sorted(set(flat.get("profiles", [])) | set(value))
            else:
                flat[key] = value
        items[name] = flat
    done.add(name)


def compile_schema(base):
    version = read_json(base / "version.json")["version"]
    categories = read_json(base / "categories.json")["attributes"]
    dictionary = read_json(base / "dictionary.json")
    types = dictionary["types"]["attributes"]
    classes = read_items(base, "events")
    objects = read_items(base, "objects")
    for item in list(classes.values()) + list(objects.values()):
        upgrade_profile(item)
        resolve_includes(item, base)
    observables = observable_types(dictionary, classes, objects)
    for attribute in dictionary["attributes"].values():
        if attribute["type"] not in types:
            attribute["object_type"] = attribute["type"]
            attribute["type"] = "object_t"
    for items in (classes, objects):
        done = set()
        for name in list(items):
            resolve_extends(items, name, done)
    classes = {n: c for n, c in classes.items() if n == "base_event" or "uid" in c}
    objects = {n: o for n, o in objects.items() if not n.startswith("_")}
    for cls in classes.values():
        enrich_class(cls, categories)
    objects["observable"]["attributes"]["type_id"].setdefault("enum", {}).update(observables)
    add_datetime_siblings(dictionary, list(classes.values()) + list(objects.values()))
    for item in list(classes.values()) + list(objects.values()):
        finished = {}
        for name, attribute in item.get("attributes", {}).items():
            if name not in dictionary["attributes"]:
                sys.exit(f"{item['name']}.{name} is not in the dictionary")
            attribute.setdefault("requirement", "optional")
            definition = copy.deepcopy(dictionary["attributes"][name])
            deep_merge(definition, attribute)
            finished[name] = definition
        item["attributes"] = finished
    return {"version": version, "classes": classes, "objects": objects, "types": types}


def observable_types(dictionary, classes, objects):
    """The `observable.type_id` values that the schema declares all over: on data types,
    dictionary attributes, objects, class and object attributes, and class attribute paths
    (read before `extends` copies them into every child)."""
    found = {}
    for kind in (dictionary["types"]["attributes"], dictionary["attributes"]):
        for detail in kind.values():
            if "observable" in detail:
                found[str(detail["observable"])] = {"caption": detail.get("caption", "")}
    for kind, items in (("Class", classes), ("Object", objects)):
        for item in items.values():
            caption = item.get("caption", item["name"])
            if kind == "Object" and "observable" in item:
                found[str(item["observable"])] = {"caption": caption}
            for name, attribute in item.get("attributes", {}).items():
                if "observable" in attribute:
                    found[str(attribute["observable"])] = {"caption": f"{caption} {kind}: {name}"}
            for path, type_id in item.get("observables", {}).items():
                found[str(type_id)] = {"caption": f"{caption} {kind}: {path}"}
    return found


def add_datetime_siblings(dictionary, items):
    """`time_dt` beside `time`, and so on: each timestamp's RFC 3339 twin of the datetime
    profile."""
    for item in items:
        additions = {}
        for name, attribute in item.get("attributes", {}).items():
            kind = attribute.get("type") or dictionary["attributes"].get(name, {}).get("type")
            if kind == "timestamp_t":
                twin = copy.deepcopy(attribute)
                twin.update({"profiles": ["datetime"], "requirement": "optional"})
                if "type" in twin:
                    twin["type"] = "datetime_t"
                additions[f"{name}_dt"] = twin
                dictionary["attributes"].setdefault(f"{name}_dt", {**dictionary["attributes"][name], "type": "datetime_t"})
        item["attributes"].update(additions)


def enrich_class(cls, categories):
    if cls["name"] == "base_event":
        return
    category = categories[cls["category"]]
    cls["uid"] = category["uid"] * 1000 + cls["uid"]
    attributes = cls["attributes"]
    activities = attributes["activity_id"]["enum"]
    type_enum = {
        str(cls["uid"] * 100 + int(k)): {"caption": f"{cls['caption']}: {v['caption']}"} for k, v in activities.items()
    }
    type_enum.setdefault(str(cls["uid"] * 100), {"caption": f"{cls['caption']}: Unknown"})
    attributes.setdefault("type_uid", {})["enum"] = type_enum
    attributes.setdefault("class_uid", {})["enum"] = {str(cls["uid"]): {"caption": cls["caption"]}}
    attributes.setdefault("category_uid", {})["enum"] = {str(category["uid"]): {"caption": category["caption"]}}


# ---------------------------------------------------------------------------------------------
# Rendering one class as JSON Schema


def in_profiles(attribute, profiles):
    tags = attribute.get("profiles")
    return not tags or bool(set(tags) & profiles)


def base_type(types, name):
    """The primitive type a data type comes down to, with the constraints on the way."""
    constraints = {}
    while True:
        detail = types[name]
        for key in ("regex", "max_len", "range"):
            if detail.get(key) is not None:
                constraints.setdefault(key, detail[key])
        if not detail.get("type"):
            return name, constraints
        name = detail["type"]


PRIMITIVE = {"string_t": "string", "integer_t": "integer", "long_t": "integer", "float_t": "number", "boolean_t": "boolean"}


def attribute_schema(attribute, types):
    schema = {"title": attribute.get("caption", "")}
    if attribute.get("@deprecated"):
        schema["deprecated"] = True
    if attribute["type"] == "object_t":
        value = {"$ref": f"#/$defs/{attribute['object_type']}"}
    else:
        primitive, constraints = base_type(types, attribute["type"])
        value = {}
        if primitive in PRIMITIVE:
            value["type"] = PRIMITIVE[primitive]
        elif primitive != "json_t":
            sys.exit(f"unknown primitive type {primitive}")
        if "regex" in constraints:
            value["pattern"] = constraints["regex"]
        if "max_len" in constraints:
            value["maxLength"] = constraints["max_len"]
        if "range" in constraints:
            value["minimum"], value["maximum"] = constraints["range"]
        if attribute.get("enum"):
            values = sorted(enum_value(attribute, types, k) for k in attribute["enum"])
            if len(values) == 1:
                value["const"] = values[0]
            else:
                value["enum"] = values
    if attribute.get("is_array"):
        schema.update({"type": "array", "items": value})
    else:
        schema.update(value)
    return schema


def enum_value(attribute, types, key):
    """An enum key (always a string in the sources) as the attribute's JSON type has it."""
    primitive, _ = base_type(types, attribute["type"])
    return int(key) if PRIMITIVE.get(primitive) == "integer" else key


def sibling_rules(attributes, types):
    """The caption an enum id's string sibling must have, for each id but Other."""
    rules = []
    for name, attribute in sorted(attributes.items()):
        sibling = attribute.get("sibling")
        if not attribute.get("enum") or attribute.get("is_array") or sibling not in attributes:
            continue
        for key, value in sorted(attribute["enum"].items(), key=lambda kv: str(enum_value(attribute, types, kv[0])).zfill(12)):
            if key == OTHER or "caption" not in value:
                continue
            rules.append({
                "if": {"properties": {name: {"const": enum_value(attribute, types, key)}}, "required": [name]},
                "then": {"properties": {sibling: {"const": value["caption"]}}},
            })
    return rules


def item_schema(item, types, profiles):
    attributes = {n: a for n, a in item["attributes"].items() if in_profiles(a, profiles)}
    schema = {"title": item.get("caption", item["name"]), "type": "object"}
    schema["properties"] = {n: attribute_schema(a, types) for n, a in sorted(attributes.items())}
    # An object without attributes (`object`, the type of `unmapped`) takes anything.
    schema["additionalProperties"] = not attributes
    required = sorted(n for n, a in attributes.items() if a.get("requirement") == "required")
    if required:
        schema["required"] = required
    constraints = item.get("constraints") or {}
    if constraints.get("just_one"):
        schema["oneOf"] = [{"required": [n]} for n in constraints["just_one"]]
    if constraints.get("at_least_one"):
        schema["anyOf"] = [{"required": [n]} for n in constraints["at_least_one"]]
    rules = sibling_rules(attributes, types)
    if rules:
        schema["allOf"] = rules
    return schema, attributes


def class_json_schema(compiled, class_name, profiles, origin):
    cls = compiled["classes"][class_name]
    types = compiled["types"]
    root, attributes = item_schema(cls, types, profiles)
    activity = attributes["activity_id"]["enum"]
    root["allOf"] = root.get("allOf", []) + [
        {
            "if": {"properties": {"activity_id": {"const": int(k)}}, "required": ["activity_id"]},
            "then": {"properties": {"type_uid": {"const": cls["uid"] * 100 + int(k)}}},
        }
        for k in sorted(activity, key=int)
    ]
    root["allOf"].append({"properties": {"metadata": {"properties": {"version": {"const": compiled["version"]}}}}})
    defs = {}
    pending = [a["object_type"] for a in attributes.values() if a["type"] == "object_t"]
    while pending:
        name = pending.pop()
        if name in defs:
            continue
        defs[name], object_attributes = item_schema(compiled["objects"][name], types, profiles)
        pending.extend(a["object_type"] for a in object_attributes.values() if a["type"] == "object_t")
    query = f"?profiles={','.join(sorted(profiles))}" if profiles else ""
    return {
        "$schema": JSON_SCHEMA,
        "$id": f"https://schema.ocsf.io/{compiled['version']}/classes/{class_name}{query}",
        "$comment": origin,
        **root,
        "$defs": dict(sorted(defs.items())),
    }


# ---------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--source", type=Path, help="an unpacked ocsf-schema tree")
    source.add_argument("--git-dir", type=Path, help="a git directory of ocsf-schema (with --tag)")
    parser.add_argument("--tag", help="the release tag to read from --git-dir, e.g. 1.8.0")
    parser.add_argument("--class", dest="class_name", required=True, help="e.g. detection_finding")
    parser.add_argument("--profile", action="append", default=[], help="a profile the events apply (repeatable)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        if args.git_dir:
            if not args.tag:
                parser.error("--git-dir needs --tag")
            git = ["git", "--git-dir", str(args.git_dir)]
            commit = subprocess.run(git + ["rev-parse", f"{args.tag}^{{commit}}"], check=True, capture_output=True, text=True).stdout.strip()
            archive = subprocess.run(git + ["archive", "--format=tar", commit], check=True, capture_output=True).stdout
            with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
                tar.extractall(tmp, filter="data")
            base = Path(tmp)
            origin = f"github.com/ocsf/ocsf-schema tag {args.tag} (commit {commit})"
        else:
            base = args.source
            origin = f"ocsf-schema sources in {base.name}"
        compiled = compile_schema(base)
    if args.tag and compiled["version"] != args.tag:
        sys.exit(f"tag {args.tag} has version.json {compiled['version']}")
    profiles = set(args.profile)
    origin = (
        f"OCSF {compiled['version']} class {args.class_name} with profiles {sorted(profiles)}, generated by"
        f" scripts/ocsf-json-schema.py from {origin}. OCSF schema: Apache License 2.0."
    )
    schema = class_json_schema(compiled, args.class_name, profiles, origin)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(schema, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{args.out}: {len(schema['$defs'])} objects, {len(schema['properties'])} class attributes", file=sys.stderr)


if __name__ == "__main__":
    main()
