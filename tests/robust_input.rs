//! Issue 16, items 4–6: inputs that are hostile or careless get a message
//! saying what is wrong (model files checked for sense, encodings, quotes),
//! `--lossy` is honoured by every command that reads text, and
//! `extract --eval` scores only the articles it is given. Each test names
//! the table row it covers.

use crate::util::{p, quotes, Workdir};

/// Runs `args`, expects exit `code` and `needle` in stderr, and no panic.
fn fails(w: &Workdir, args: &[&str], code: i32, needle: &str) {
    let o = w.run(args);
    assert_eq!(o.code, code, "{args:?}: {o:?}");
    assert!(
        o.stderr.contains(needle),
        "{args:?}: expected «{needle}» in «{}»",
        o.stderr
    );
    assert!(!o.stderr.contains("panicked"), "{}", o.stderr);
}

/// `w`'s `from` model file with `edit` applied, written as `to`.
fn edit_model(w: &Workdir, from: &str, to: &str, edit: impl FnOnce(&mut serde_json::Value)) {
    let mut v: serde_json::Value = serde_json::from_str(&w.read(from)).unwrap();
    edit(&mut v);
    w.write(to, v.to_string());
}

/// The first JSON object holding `key`, depth first.
fn first_with<'a>(v: &'a mut serde_json::Value, key: &str) -> Option<&'a mut serde_json::Value> {
    if v.get(key).is_some() {
        return Some(v);
    }
    match v {
        serde_json::Value::Array(a) => a.iter_mut().find_map(|x| first_with(x, key)),
        serde_json::Value::Object(o) => o.values_mut().find_map(|x| first_with(x, key)),
        _ => None,
    }
}

/// Row 9: hand-edited models that parse but make no sense are refused,
/// naming what is wrong, instead of printing probabilities of -1 or 1e15.
#[test]
fn row9_model_files_are_checked_for_sense() {
    let w = Workdir::new();
    let data = quotes();
    let score = |m: &str| {
        vec![
            "score".to_string(),
            "--model".into(),
            m.into(),
            "--data".into(),
            p(&data).into(),
        ]
    };
    let fails_with = |m: &str, needle: &str| {
        let args = score(m);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        fails(&w, &args, 1, needle);
    };
    w.train_on_quotes("tree", "tree.json");
    edit_model(&w, "tree.json", "leaf.json", |v| {
        let leaf = first_with(&mut v["model"], "probs").unwrap();
        leaf["probs"] = serde_json::json!([-1.0, 5.0, 0.0]);
    });
    fails_with("leaf.json", "is not a probability distribution");
    edit_model(&w, "tree.json", "cycle.json", |v| {
        let split = first_with(&mut v["model"], "left").unwrap();
        split["left"] = 0.into();
    });
    fails_with("cycle.json", "expected nodes after it");
    edit_model(&w, "tree.json", "feature.json", |v| {
        let split = first_with(&mut v["model"], "feature").unwrap();
        split["feature"] = 99_999_999.into();
    });
    fails_with("feature.json", "splits on feature 99999999");

    w.train_on_quotes("lexicon", "lexicon.json");
    edit_model(&w, "lexicon.json", "smooth.json", |v| {
        v["model"]["smoothing"] = (-1.0).into();
    });
    fails_with("smooth.json", "smoothing -1 must be finite and > 0");
    edit_model(&w, "lexicon.json", "smooth_params.json", |v| {
        v["params"]["params"]["smoothing"] = (-1.0).into();
    });
    fails_with("smooth_params.json", "bad lexicon settings");

    w.train_on_quotes("nb", "nb.json");
    edit_model(&w, "nb.json", "logp.json", |v| {
        v["model"]["weights"][0][0] = 2.5.into();
    });
    fails_with("logp.json", "log-probability above 0");
    edit_model(&w, "nb.json", "priors.json", |v| {
        v["model"]["intercept"][1] = (-30.0).into();
    });
    fails_with("priors.json", "class priors sum to");
    edit_model(&w, "nb.json", "alpha.json", |v| {
        v["params"]["alpha"] = 0.0.into();
    });
    fails_with("alpha.json", "bad nb settings");

    w.train_on_quotes("logreg", "logreg.json");
    edit_model(&w, "logreg.json", "iter.json", |v| {
        v["params"]["max_iterations"] = 0.into();
    });
    fails_with("iter.json", "bad logreg settings");
    // A sound file still loads.
    w.ok(score("nb.json"));
}

/// Row 13: a version of the wrong type, and settings of another kind than
/// the fitted model, say what is wrong.
#[test]
fn row13_model_file_version_type_and_kind_mismatch() {
    let w = Workdir::new();
    let data = quotes();
    w.train_on_quotes("nb", "nb.json");
    edit_model(&w, "nb.json", "v.json", |v| v["version"] = "1".into());
    fails(
        &w,
        &["score", "--model", "v.json", "--data", p(&data)],
        1,
        "\"version\" is \"1\", a string; expected the number 3",
    );
    edit_model(&w, "nb.json", "kind.json", |v| {
        v["params"]["kind"] = "svm".into()
    });
    fails(
        &w,
        &["score", "--model", "kind.json", "--data", p(&data)],
        1,
        "settings of model 'svm' but a fitted 'nb' model",
    );
}
