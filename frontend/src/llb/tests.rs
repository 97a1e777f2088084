use super::*;

fn amd64() -> Platform {
    Platform::linux_amd64()
}

fn meta(name: &str) -> OpMeta {
    OpMeta {
        name: Some(name.to_string()),
        ..OpMeta::default()
    }
}

fn decode(def: &pb::Definition, i: usize) -> pb::Op {
    pb::Op::decode(def.def[i].as_slice()).unwrap()
}

#[test]
fn mounts_are_sorted_and_outputs_numbered_in_that_order() {
    let img = image(
        "golang:1.24",
        &amd64(),
        crate::options::ResolveMode::Default,
        &meta("img"),
    );
    let src = Local::new("context", "sess", &Platform::linux_amd64()).build(&OpMeta::default());
    let run = Exec::new(vec!["go".into(), "build".into()], &amd64())
        .mount(Mount::scratch_output("/out"))
        .mount(Mount::readonly("/src", &src))
        .mount(Mount::cache("/cache", "gocache"))
        .mount(Mount::layer("/", &img))
        .run(&meta("build"));
    let out = run.output("/out").unwrap();
    let root = run.output("/").unwrap();
    assert!(run.output("/src").is_none());
    assert!(run.output("/cache").is_none());
    let def = out.marshal(None);
    let exec = decode(&def, 2);
    let Some(pb::op::Op::Exec(e)) = exec.op else {
        panic!("not an exec")
    };
    let dests: Vec<&str> = e.mounts.iter().map(|m| m.dest.as_str()).collect();
    assert_eq!(dests, ["/", "/cache", "/out", "/src"]);
    let outputs: Vec<i64> = e.mounts.iter().map(|m| m.output).collect();
    assert_eq!(outputs, [0, -1, 1, -1]);
    // The terminal op points at output 1 (the /out mount), root at 0.
    let terminal = decode(&def, def.def.len() - 1);
    assert_eq!(terminal.inputs[0].index, 1);
    assert_eq!(root.to_input().unwrap().index, 0);
}

#[test]
fn shared_inputs_appear_once_and_in_dependency_order() {
    let img = image(
        "busybox",
        &amd64(),
        crate::options::ResolveMode::Default,
        &OpMeta::default(),
    );
    let a = FileOp::on(&img, &Platform::linux_amd64())
        .mkdir("/a", 0o755, false, None)
        .build(&OpMeta::default());
    let b = FileOp::on(&img, &Platform::linux_amd64())
        .mkdir("/b", 0o755, false, None)
        .build(&OpMeta::default());
    let merged = merge(&[a, b], &OpMeta::default(), &Platform::linux_amd64());
    let def = merged.marshal(None);
    // image, a, b, merge, terminal
    assert_eq!(def.def.len(), 5);
    assert_eq!(def.metadata.len(), 5);
    let first = decode(&def, 0);
    assert!(matches!(first.op, Some(pb::op::Op::Source(_))));
}

#[test]
fn same_graph_marshals_to_same_bytes() {
    let build = || {
        let img = image(
            "golang:1.24",
            &amd64(),
            crate::options::ResolveMode::Pull,
            &meta("x"),
        );
        let owned = FileOp::on(&State::scratch(), &Platform::linux_amd64())
            .mkdir(
                "/cache",
                0o755,
                true,
                Some(Chown {
                    user: UserRef::Id(1000),
                    group: Some(UserRef::Id(1000)),
                }),
            )
            .build(&OpMeta::default());
        Exec::new(vec!["true".into()], &amd64())
            .mount(Mount::layer("/", &img))
            .mount(Mount::cache("/c", "id").base(&owned).selector("/cache"))
            .run(&meta("run"))
            .output("/")
            .unwrap()
            .marshal(None)
            .encode_to_vec()
    };
    assert_eq!(build(), build());
}

#[test]
fn merge_of_one_input_is_that_input() {
    let img = image(
        "busybox",
        &amd64(),
        crate::options::ResolveMode::Default,
        &OpMeta::default(),
    );
    let merged = merge(
        &[State::scratch(), img.clone()],
        &OpMeta::default(),
        &Platform::linux_amd64(),
    );
    assert_eq!(merged.digest(), img.digest());
    assert!(merge(&[], &OpMeta::default(), &Platform::linux_amd64()).is_scratch());
}

/// Merge takes its inputs through the same de-duplication as exec and
/// file ops: one op input per state, read as often as it is listed.
#[test]
fn merge_lists_a_repeated_input_once() {
    let img = |name: &str| {
        image(
            name,
            &amd64(),
            crate::options::ResolveMode::Default,
            &OpMeta::default(),
        )
    };
    let (a, b) = (img("busybox"), img("golang"));
    let merged = merge(
        &[a.clone(), b, a],
        &OpMeta::default(),
        &Platform::linux_amd64(),
    );
    let def = merged.marshal(None);
    let op = def
        .def
        .iter()
        .map(|bytes| pb::Op::decode(bytes.as_slice()).unwrap())
        .find(|op| matches!(op.op, Some(pb::op::Op::Merge(_))))
        .unwrap();
    assert_eq!(op.inputs.len(), 2);
    let Some(pb::op::Op::Merge(m)) = op.op else {
        unreachable!()
    };
    let read: Vec<i64> = m.inputs.iter().map(|i| i.input).collect();
    assert_eq!(read, [0, 1, 0]);
}

#[test]
fn file_actions_chain_through_relative_inputs() {
    let img = image(
        "busybox",
        &amd64(),
        crate::options::ResolveMode::Default,
        &OpMeta::default(),
    );
    let other = image(
        "golang",
        &amd64(),
        crate::options::ResolveMode::Default,
        &OpMeta::default(),
    );
    let st = FileOp::on(&img, &Platform::linux_amd64())
        .mkdir("/app", 0o755, true, None)
        .copy(&other, "/usr/bin/go", "/app/go", None)
        .build(&OpMeta::default());
    let def = st.marshal(None);
    let op = decode(&def, 2);
    let Some(pb::op::Op::File(f)) = op.op else {
        panic!("not a file op")
    };
    assert_eq!(op.inputs.len(), 2);
    assert_eq!(
        (
            f.actions[0].input,
            f.actions[0].secondary_input,
            f.actions[0].output
        ),
        (0, -1, -1)
    );
    // Second action works on the first one's result: index 2 = inputs + 0.
    assert_eq!(
        (
            f.actions[1].input,
            f.actions[1].secondary_input,
            f.actions[1].output
        ),
        (2, 1, 0)
    );
}
