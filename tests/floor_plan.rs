//! The floor plan of the root crate, read from its source: the top-level modules import one
//! another in one direction only (no loop), the chat's state and rules (`app`) know nothing of
//! the loop, the screen or the terminal, and the layers cut out as crates stay below the app.
//! Between crates the compiler keeps the plan; between the root crate's modules this test does.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The top-level modules of `src/` and the files of each.
fn modules() -> BTreeMap<String, Vec<PathBuf>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut modules = BTreeMap::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "lib" || name == "main" {
            continue;
        }
        let mut files = Vec::new();
        if path.is_dir() {
            let mut stack = vec![path];
            while let Some(dir) = stack.pop() {
                for entry in std::fs::read_dir(dir).unwrap() {
                    let path = entry.unwrap().path();
                    if path.is_dir() {
                        stack.push(path);
                    } else if path.extension().is_some_and(|e| e == "rs") {
                        files.push(path);
                    }
                }
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        } else {
            continue;
        }
        modules.insert(name, files);
    }
    modules
}

/// The code of a file without its tests (a test may reach anywhere) and without comments.
fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => &text,
    };
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Which top-level modules each one names as `crate::NAME`.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let modules = modules();
    let mut graph = BTreeMap::new();
    for (name, files) in &modules {
        let mut uses = BTreeSet::new();
        for file in files {
            let code = code_of(file);
            for (at, _) in code.match_indices("crate::") {
                // `bedrock_tui::` in a doc test or `some_crate::` are not this crate.
                if code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let rest = &code[at + "crate::".len()..];
                let used: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if used != *name && modules.contains_key(&used) {
                    uses.insert(used);
                }
            }
        }
        graph.insert(name.clone(), uses);
    }
    graph
}

/// A loop among the modules, if there is one: the modules along it.
fn a_loop(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(cycle) = visit(node, graph, &mut Vec::new(), &mut done) {
            return Some(cycle);
        }
    }
    None
}

#[test]
fn the_top_level_modules_import_one_another_in_one_direction() {
    let graph = imports();
    assert!(graph.len() > 20, "modules found: {:?}", graph.keys());
    if let Some(cycle) = a_loop(&graph) {
        panic!("an import loop: {}", cycle.join(" → "));
    }
}

#[test]
fn the_chats_state_and_rules_know_nothing_of_the_loop_the_screen_or_the_terminal() {
    let graph = imports();
    let app = &graph["app"];
    for room in ["run", "ui", "tui", "cli"] {
        assert!(!app.contains(room), "app imports {room}: {app:?}");
    }
    // The screen draws the state; it does not run the loop or the command line.
    for room in ["run", "cli"] {
        assert!(!graph["ui"].contains(room), "ui imports {room}");
    }
    // The layers below the app: none reaches up into it.
    for low in [
        "attachments",
        "files",
        "text",
        "exchange",
        "transcript",
        "tools",
    ] {
        for high in ["app", "run", "ui", "cli"] {
            assert!(
                !graph[low].contains(high),
                "{low} imports {high}: {:?}",
                graph[low]
            );
        }
    }
}

/// The path dependencies of a workspace crate (`crates/NAME`), and its other dependencies.
fn crate_dependencies(name: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates")
        .join(name)
        .join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let (mut ours, mut others) = (BTreeSet::new(), BTreeSet::new());
    let mut in_dependencies = false;
    for line in text.lines() {
        if line.starts_with('[') {
            in_dependencies = line == "[dependencies]";
            continue;
        }
        let Some((dependency, _)) = line.split_once(['=', '.']) else {
            continue;
        };
        if in_dependencies {
            let dependency = dependency.trim().to_string();
            if line.contains("path = ") {
                ours.insert(dependency);
            } else {
                others.insert(dependency);
            }
        }
    }
    (ours, others)
}

#[test]
fn the_crates_stack_in_one_order_and_the_model_families_do_no_io() {
    let names = |list: &[&str]| {
        list.iter()
            .map(ToString::to_string)
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(crate_dependencies("eventstream").0, names(&[]));
    assert_eq!(crate_dependencies("models").0, names(&[]));
    assert_eq!(
        crate_dependencies("wire").0,
        names(&["bedrock-tui-eventstream"])
    );
    assert_eq!(
        crate_dependencies("emulator").0,
        names(&["bedrock-tui-models", "bedrock-tui-wire"])
    );
    // The model families are pure: nothing that reaches a network, a process, a clock or files.
    let (_, others) = crate_dependencies("models");
    for io in ["tokio", "reqwest", "hyper", "aws-config", "futures-util"] {
        assert!(!others.contains(io), "the model families depend on {io}");
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/models/src");
    let mut stack = vec![src];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let code = code_of(&path);
            for io in [
                "std::fs",
                "std::net",
                "std::process",
                "std::env",
                "Instant::now",
            ] {
                assert!(!code.contains(io), "{} uses {io}", path.display());
            }
        }
    }
}

#[test]
fn the_test_finds_a_loop_when_there_is_one() {
    let mut graph = BTreeMap::new();
    graph.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    graph.insert("b".to_string(), BTreeSet::from(["c".to_string()]));
    graph.insert("c".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(a_loop(&graph).unwrap(), ["a", "b", "c", "a"]);
    graph.insert("c".to_string(), BTreeSet::new());
    assert_eq!(a_loop(&graph), None);
}
