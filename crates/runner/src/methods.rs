//! `runner methods`: the registered regularizers, online optimizers and batch solvers with
//! their own spec keys, as Markdown. `experiments/README.md` holds this text verbatim (a test
//! checks it), so the documented keys are the registries' own.

use std::fmt::Write as _;

use regularizers::SettingDoc;

/// One table row per setting, or a dash when the method has none.
fn keys_cell(keys: &[SettingDoc]) -> String {
    if keys.is_empty() {
        return "none".to_string();
    }
    keys.iter()
        .map(|k| format!("`{}` (default {}): {}", k.key, k.default, k.doc))
        .collect::<Vec<_>>()
        .join("<br>")
}

/// The Markdown listing (see the module doc).
pub fn markdown() -> String {
    let mut out = String::new();
    out.push_str("#### Regularizers (`[[regularizer]] kind = ...`)\n\n");
    out.push_str("| kind | what it is | its own keys |\n|---|---|---|\n");
    for e in regularizers::REGULARIZERS {
        let _ = writeln!(out, "| `{}` | {} | {} |", e.name, e.summary, keys_cell(e.keys));
    }
    out.push_str("\n#### Online optimizers (`online = ...`)\n\n");
    out.push_str("| name | what it is | its own keys |\n|---|---|---|\n");
    for e in optimizers::online::ONLINE_OPTIMIZERS {
        let _ = writeln!(out, "| `{}` | {} | {} |", e.name, e.summary, keys_cell(e.keys));
    }
    out.push_str("\n#### Batch solvers (`batch = ...`)\n\n");
    out.push_str("| name | what it is | penalties | its own keys |\n|---|---|---|---|\n");
    for e in optimizers::batch::BATCH_SOLVERS {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            e.name,
            e.summary,
            e.accepts_text,
            keys_cell(e.keys)
        );
    }
    out
}
