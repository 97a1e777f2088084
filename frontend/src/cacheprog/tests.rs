//! The protocol driven as the go command drives it: request lines, a blank
//! line, base64 bodies; replies read back as JSON.

use super::entry::*;
use super::error::*;
use super::protocol::*;
use super::server::*;
use super::used::*;
use super::*;
use crate::rfc3339::rfc3339_nanos;
use crate::testutil::TempDir;
use proptest::prelude::*;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::{BufRead, Write};
use std::io::{BufReader, Cursor};
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn sha(bytes: &[u8]) -> Hash {
    Sha256::digest(bytes).into()
}

fn action(n: u8) -> Hash {
    sha(&[b'a', n])
}

/// The bytes the go command writes for one request (cache/prog.go:
/// `json.Encoder.Encode` adds a newline, then one more; a body follows as
/// a base64 JSON string and a newline).
fn request(req: &Value, body: Option<&[u8]>) -> Vec<u8> {
    let mut out = serde_json::to_vec(req).unwrap();
    out.extend_from_slice(b"\n\n");
    if let Some(body) = body {
        out.push(b'"');
        out.extend_from_slice(b64_encode(body).as_bytes());
        out.extend_from_slice(b"\"\n");
    }
    out
}

fn get(id: i64, action: &Hash) -> Vec<u8> {
    request(
        &json!({"ID": id, "Command": "get", "ActionID": b64_encode(action)}),
        None,
    )
}

/// A put as Go 1.24 sends it (both `OutputID` and `ObjectID`).
fn put(id: i64, action: &Hash, body: &[u8]) -> Vec<u8> {
    let out = b64_encode(&sha(body));
    let mut req = json!({"ID": id, "Command": "put", "ActionID": b64_encode(action),
        "OutputID": out, "ObjectID": out});
    if !body.is_empty() {
        req["BodySize"] = json!(body.len());
    }
    request(&req, (!body.is_empty()).then_some(body))
}

fn close(id: i64) -> Vec<u8> {
    request(&json!({"ID": id, "Command": "close"}), None)
}

/// Runs a whole session from prepared input; the replies by ID (the
/// handshake is ID 0).
fn session(server: &mut Server, input: &[u8]) -> (Result<(), ProgError>, Vec<Value>) {
    let mut out = Vec::new();
    let result = server.serve(Cursor::new(input.to_vec()), &mut out);
    let replies = out
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    (result, replies)
}

fn server(dir: &TempDir) -> Server {
    Server::new(&dir.0, Limits::default()).unwrap()
}

#[test]
fn the_handshake_comes_first_and_a_put_is_served_back_over_pipes() {
    let dir = TempDir::new("pipes");
    let (server_in, mut client_out) = std::io::pipe().unwrap();
    let (client_in, server_out) = std::io::pipe().unwrap();
    let root = dir.0.clone();
    let list = dir.0.join("gofront-used").join("test.txt");
    let list2 = list.clone();
    let thread = std::thread::spawn(move || {
        let mut s = Server::new(&root, Limits::default())
            .unwrap()
            .with_used_file(list2);
        let r = s.serve(BufReader::new(server_in), server_out);
        (
            r.map_err(|e| e.to_string()),
            s.used().copied().collect::<Vec<_>>(),
            s.stats(),
        )
    });
    let mut replies = BufReader::new(client_in);
    let mut next = || {
        let mut line = String::new();
        replies.read_line(&mut line).unwrap();
        serde_json::from_str::<Value>(&line).unwrap()
    };
    // Go waits for the capabilities before it sends anything.
    assert_eq!(
        next(),
        json!({"ID": 0, "KnownCommands": ["get", "put", "close"]})
    );

    let a = action(1);
    let body = b"compiled package bytes\n".repeat(5000);
    client_out.write_all(&get(1, &a)).unwrap();
    assert_eq!(next(), json!({"ID": 1, "Miss": true}));
    client_out.write_all(&put(2, &a, &body)).unwrap();
    let put_reply = next();
    assert_eq!(put_reply["ID"], 2);
    assert!(put_reply.get("Err").is_none(), "{put_reply}");
    let disk_path = put_reply["DiskPath"].as_str().unwrap().to_string();
    assert!(Path::new(&disk_path).is_absolute());
    assert_eq!(fs::read(&disk_path).unwrap(), body);

    client_out.write_all(&get(3, &a)).unwrap();
    let hit = next();
    assert_eq!(hit["ID"], 3);
    assert_eq!(hit["OutputID"], b64_encode(&sha(&body)));
    assert_eq!(hit["Size"], body.len());
    assert_eq!(hit["DiskPath"], disk_path.as_str());
    assert!(hit.get("Miss").is_none());
    assert!(hit["Time"].as_str().unwrap().ends_with('Z'));

    client_out.write_all(&close(4)).unwrap();
    assert_eq!(next(), json!({"ID": 4}));
    // The list is there as soon as close is answered: go exits then, and
    // the build step with it.
    assert_eq!(
        parse_used(&fs::read_to_string(&list).unwrap()),
        Some(vec![a])
    );
    let (result, used, stats) = thread.join().unwrap();
    assert_eq!(result, Ok(()));
    assert_eq!(used, vec![a]);
    assert_eq!(
        stats,
        Stats {
            gets: 2,
            hits: 1,
            puts: 1,
            bytes_written: body.len() as u64
        }
    );
}

#[test]
fn entries_are_in_go_cache_layout_and_read_by_the_export_tool() {
    let dir = TempDir::new("layout");
    let mut s = server(&dir);
    let a = action(2);
    let body = b"hello";
    let (r, replies) = session(&mut s, &[put(1, &a, body), close(2)].concat());
    r.unwrap();
    assert!(replies[1].get("Err").is_none(), "{}", replies[1]);
    let (ah, oh) = (hex::encode(a), hex::encode(sha(body)));
    let entry = fs::read_to_string(dir.0.join(&ah[..2]).join(format!("{ah}-a"))).unwrap();
    assert_eq!(entry.len(), 175);
    assert!(entry.starts_with(&format!("v1 {ah} {oh}                    5 ")));
    assert!(entry.ends_with('\n'));
    // The export tool's parser reads it as Go's own.
    assert_eq!(
        crate::gocache::parse_action_entry(&entry),
        Some((ah.as_str(), oh.as_str()))
    );
    assert_eq!(
        fs::read(dir.0.join(&oh[..2]).join(format!("{oh}-d"))).unwrap(),
        body
    );
    // Nothing but the two entries: no temporary file is left behind.
    let mut names: Vec<String> = walk(&dir.0);
    names.sort();
    let mut want = vec![format!("{ah}-a"), format!("{oh}-d")];
    want.sort();
    assert_eq!(names, want);
}

fn walk(root: &Path) -> Vec<String> {
    let mut names = Vec::new();
    for d in fs::read_dir(root).unwrap() {
        let d = d.unwrap();
        if d.file_type().unwrap().is_dir() {
            for f in fs::read_dir(d.path()).unwrap() {
                names.push(f.unwrap().file_name().to_string_lossy().into_owned());
            }
        }
    }
    names
}

#[test]
fn an_entry_go_wrote_is_served() {
    let dir = TempDir::new("gowrote");
    let a = action(3);
    let body = b"object";
    let (ah, oh) = (hex::encode(a), hex::encode(sha(body)));
    // As cmd/go's putIndexEntry writes it.
    let text = format!(
        "v1 {ah} {oh} {:>20} {:>20}\n",
        6, 1_700_000_000_123_456_789i64
    );
    fs::create_dir_all(dir.0.join(&ah[..2])).unwrap();
    fs::create_dir_all(dir.0.join(&oh[..2])).unwrap();
    fs::write(dir.0.join(&ah[..2]).join(format!("{ah}-a")), &text).unwrap();
    fs::write(dir.0.join(&oh[..2]).join(format!("{oh}-d")), body).unwrap();
    let mut s = server(&dir);
    let (r, replies) = session(&mut s, &get(7, &a));
    r.unwrap();
    assert_eq!(replies[1]["OutputID"], b64_encode(&sha(body)));
    assert_eq!(replies[1]["Size"], 6);
    assert_eq!(replies[1]["Time"], "2023-11-14T22:13:20.123456789Z");
    assert_eq!(s.used().copied().collect::<Vec<_>>(), vec![a]);
    // And the entry our put writes is the same text but for the time.
    let ours = format_entry(&a, &parse_entry(text.as_bytes(), &a).unwrap());
    assert_eq!(ours, text);
}

#[test]
fn times_are_rfc3339_utc() {
    assert_eq!(rfc3339_nanos(0), "1970-01-01T00:00:00.000000000Z");
    assert_eq!(
        rfc3339_nanos(951_782_400_000_000_000),
        "2000-02-29T00:00:00.000000000Z"
    );
    assert_eq!(
        rfc3339_nanos(1_700_000_000_000_000_001),
        "2023-11-14T22:13:20.000000001Z"
    );
    assert_eq!(rfc3339_nanos(-1), "1969-12-31T23:59:59.999999999Z");
}

#[test]
fn base64_round_trips_and_rejects_bad_text() {
    assert_eq!(b64_encode(b""), "");
    assert_eq!(b64_encode(b"f"), "Zg==");
    assert_eq!(b64_encode(b"fo"), "Zm8=");
    assert_eq!(b64_encode(b"foo"), "Zm9v");
    assert_eq!(b64_decode("Zm9vYg==").unwrap(), b"foob");
    for bad in ["Zg=", "Zg==Zg==", "Z===", "Zm9*", "=Zm9"] {
        assert_eq!(b64_decode(bad), None, "{bad}");
    }
}

proptest! {
    #[test]
    fn base64_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        prop_assert_eq!(b64_decode(&b64_encode(&bytes)), Some(bytes));
    }

    /// Whatever arrives, the server answers or stops with an error; it
    /// never panics, and never leaves anything in the cache but entries.
    #[test]
    fn arbitrary_input_never_panics(
        prefix in proptest::collection::vec(any::<u8>(), 0..300),
        tail in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let dir = TempDir::new("fuzz");
        let mut s = server(&dir);
        let a = action(9);
        let input = [put(1, &a, b"abc"), prefix, b"\n".to_vec(), tail].concat();
        let mut out = Vec::new();
        let _ = s.serve(Cursor::new(input), &mut out);
        for name in walk(&dir.0) {
            prop_assert!(crate::gocache::is_entry_name(&name), "{}", name);
        }
    }
}

#[test]
fn a_bad_request_gets_an_error_and_the_stream_stays_in_step() {
    let dir = TempDir::new("bad");
    let limits = Limits {
        max_body: 8,
        max_used: 100,
    };
    let mut s = Server::new(&dir.0, limits).unwrap();
    let good = action(4);
    let b = b64_encode;
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            request(&json!({"ID": 1, "Command": "get"}), None),
            "ActionID is missing",
        ),
        (
            request(
                &json!({"ID": 2, "Command": "get", "ActionID": "!!!!"}),
                None,
            ),
            "ActionID is not base64",
        ),
        (
            request(
                &json!({"ID": 3, "Command": "get", "ActionID": b(&[1; 31])}),
                None,
            ),
            "ActionID is not 32 bytes",
        ),
        (
            request(
                &json!({"ID": 4, "Command": "put", "ActionID": b(&action(5)),
                    "OutputID": b(&sha(b"other")), "BodySize": 3}),
                Some(b"abc"),
            ),
            "the body's SHA-256 is not its OutputID",
        ),
        (
            request(
                &json!({"ID": 5, "Command": "put", "ActionID": b(&action(5)),
                    "OutputID": b(&sha(&[7; 20])), "BodySize": 20}),
                Some(&[7; 20]),
            ),
            "BodySize 20 is over the 8-byte limit",
        ),
        (
            request(
                &json!({"ID": 6, "Command": "put", "ActionID": b(&action(5)),
                    "OutputID": b(&sha(b"")), "BodySize": -1}),
                None,
            ),
            "BodySize -1 is negative",
        ),
        (
            request(
                &json!({"ID": 7, "Command": "put", "ActionID": b(&action(5)),
                    "OutputID": b(&sha(b"")), "ObjectID": b(&sha(b"x"))}),
                None,
            ),
            "OutputID and ObjectID differ",
        ),
        (
            request(
                &json!({"ID": 8, "Command": "put", "ActionID": b(&action(5)),
                    "OutputID": b(&sha(b"abcd")), "BodySize": 5}),
                Some(b"abcd"),
            ),
            "the body has 4 bytes, BodySize says 5",
        ),
        (
            request(
                &json!({"ID": 9, "Command": "get2", "ActionID": b(&good)}),
                None,
            ),
            "unknown command \"get2\"",
        ),
    ];
    for (input, want) in cases {
        let input = [input, put(100, &good, b"fine")].concat();
        let (r, replies) = session(&mut s, &input);
        r.unwrap();
        assert_eq!(replies[1]["Err"], want, "{}", replies[1]);
        assert!(
            replies[2].get("Err").is_none(),
            "after {want:?}: {}",
            replies[2]
        );
    }
    // Only the good put is in the cache and in the used list.
    assert_eq!(s.used().copied().collect::<Vec<_>>(), vec![good]);
    let (ah, oh) = (hex::encode(good), hex::encode(sha(b"fine")));
    let mut names = walk(&dir.0);
    names.sort();
    let mut want = vec![format!("{ah}-a"), format!("{oh}-d")];
    want.sort();
    assert_eq!(names, want);
}

#[test]
fn a_legacy_objectid_and_an_empty_body_are_stored() {
    let dir = TempDir::new("empty");
    let mut s = server(&dir);
    let a = action(6);
    let input = [
        request(
            &json!({"ID": 1, "Command": "put", "ActionID": b64_encode(&a),
                "ObjectID": b64_encode(&sha(b""))}),
            None,
        ),
        get(2, &a),
    ]
    .concat();
    let (r, replies) = session(&mut s, &input);
    r.unwrap();
    assert!(replies[1].get("Err").is_none(), "{}", replies[1]);
    // Size 0 is still sent on a hit: Go reads it as the entry's size.
    assert_eq!(replies[2]["Size"], 0);
    assert_eq!(
        fs::read(replies[2]["DiskPath"].as_str().unwrap()).unwrap(),
        b""
    );
}

#[test]
fn a_second_put_of_the_same_output_writes_no_bytes() {
    let dir = TempDir::new("dedup");
    let mut s = server(&dir);
    let body = b"same bytes";
    let (r, _) = session(
        &mut s,
        &[put(1, &action(1), body), put(2, &action(2), body)].concat(),
    );
    r.unwrap();
    assert_eq!(s.stats().puts, 2);
    assert_eq!(s.stats().bytes_written, body.len() as u64);
    assert_eq!(walk(&dir.0).len(), 3);
    // A damaged output of the right size is rewritten by the next put.
    let dpath = s.path(&sha(body), 'd');
    fs::write(&dpath, b"SAME bytes").unwrap();
    let (r, replies) = session(&mut s, &put(3, &action(3), body));
    r.unwrap();
    assert!(replies[1].get("Err").is_none(), "{}", replies[1]);
    assert_eq!(fs::read(&dpath).unwrap(), body);
    assert_eq!(s.stats().bytes_written, 2 * body.len() as u64);
}

#[test]
fn a_broken_stream_stops_the_server_naming_the_line() {
    let dir = TempDir::new("broken");
    let a = action(1);
    let header = |size: usize| {
        let mut v = serde_json::to_vec(&json!({"ID": 5, "Command": "put",
            "ActionID": b64_encode(&a), "OutputID": b64_encode(&sha(b"abc")),
            "BodySize": size}))
        .unwrap();
        v.extend_from_slice(b"\n\n");
        v
    };
    let long = vec![b' '; MAX_REQUEST_LINE + 1];
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            b"{\"ID\": 1\n".to_vec(),
            "GOCACHEPROG input line 1: not a request",
        ),
        (
            [get(1, &a), b"not json\n".to_vec()].concat(),
            "input line 3: not a request",
        ),
        (long, "input line 1: longer than 65536 bytes"),
        (
            [header(3), b"\"YWJj".to_vec()].concat(),
            "request 5 is cut off",
        ),
        (
            [header(3), b"YWJj\"\n".to_vec()].concat(),
            "request 5 is not a JSON string",
        ),
        (
            [header(3), b"\"YW*j\"\n".to_vec()].concat(),
            "request 5 is not base64",
        ),
        (
            [header(3), b"\"YWJ\"\n".to_vec()].concat(),
            "not a whole number of base64 groups",
        ),
        (
            [header(3), b"\"YQ==YWJj\"\n".to_vec()].concat(),
            "goes on after its padding",
        ),
        (
            [header(3), b"\"Y=Jj\"\n".to_vec()].concat(),
            "has padding inside it",
        ),
    ];
    for (input, want) in cases {
        let mut s = server(&dir);
        let (r, _) = session(&mut s, &input);
        let e = r.unwrap_err().to_string();
        assert!(e.contains(want), "{e:?} lacks {want:?}");
    }
    // Nothing half-written stays behind.
    assert!(walk(&dir.0).is_empty(), "{:?}", walk(&dir.0));
}

#[test]
fn a_corrupt_or_dangling_entry_is_a_miss() {
    let dir = TempDir::new("corrupt");
    let body = b"data";
    let (oh, size) = (hex::encode(sha(body)), body.len());
    let write = |a: &Hash, text: &str| {
        let ah = hex::encode(a);
        fs::create_dir_all(dir.0.join(&ah[..2])).unwrap();
        fs::write(dir.0.join(&ah[..2]).join(format!("{ah}-a")), text).unwrap();
    };
    let line = |a: &Hash, out: &str, size: usize| {
        format!("v1 {} {out} {size:>20} {:>20}\n", hex::encode(a), 1)
    };
    // Output missing.
    write(
        &action(1),
        &line(&action(1), &hex::encode(sha(b"gone")), size),
    );
    // An entry for another action id.
    write(&action(2), &line(&action(3), &oh, size));
    // Cut short, and with a trailing extra byte.
    write(&action(4), &line(&action(4), &oh, size)[..170]);
    write(&action(5), &format!("{} ", line(&action(5), &oh, size)));
    // The output there but of another size.
    write(&action(6), &line(&action(6), &oh, size + 1));
    // Uppercase hex is not Go's.
    write(&action(7), &line(&action(7), &oh.to_uppercase(), size));
    fs::create_dir_all(dir.0.join(&oh[..2])).unwrap();
    fs::write(dir.0.join(&oh[..2]).join(format!("{oh}-d")), body).unwrap();
    let mut s = server(&dir);
    let ids = [1u8, 2, 4, 5, 6, 7];
    let input: Vec<u8> = ids
        .iter()
        .enumerate()
        .flat_map(|(i, &n)| get(i as i64 + 1, &action(n)))
        .collect();
    let (r, replies) = session(&mut s, &input);
    r.unwrap();
    for (i, reply) in replies[1..].iter().enumerate() {
        assert_eq!(
            reply,
            &json!({"ID": i + 1, "Miss": true}),
            "action({})",
            ids[i]
        );
    }
    assert_eq!(replies.len(), ids.len() + 1);
    assert_eq!(s.used().count(), 0);
    // The missing output aside, a well-formed entry hits (the fixture is right).
    write(&action(8), &line(&action(8), &oh, size));
    let (_, replies) = session(&mut s, &get(1, &action(8)));
    assert_eq!(replies[1]["Size"], size);
}

#[test]
fn the_used_list_is_sorted_bounded_and_replaced_whole() {
    let dir = TempDir::new("used");
    let limits = Limits {
        max_body: MAX_BODY,
        max_used: 2,
    };
    let mut s = Server::new(&dir.0.join("cache"), limits).unwrap();
    let input: Vec<u8> = (1..=3u8)
        .flat_map(|n| put(i64::from(n), &action(n), &[n]))
        .collect();
    let (r, _) = session(&mut s, &input);
    r.unwrap();
    let list = dir.0.join("used").join("test.txt");
    fs::create_dir_all(list.parent().unwrap()).unwrap();
    fs::write(&list, "an older list").unwrap();
    s.write_used(&list).unwrap();
    let text = fs::read_to_string(&list).unwrap();
    let ids = parse_used(&text).unwrap();
    assert_eq!(ids.len(), 2);
    let mut want = vec![action(1), action(2)];
    want.sort();
    assert_eq!(ids, want);
    assert!(text.starts_with("gofront-used/1\n"));
    // Only the list itself in its directory: the temporary name is gone.
    assert_eq!(fs::read_dir(list.parent().unwrap()).unwrap().count(), 1);
    // The third put was still stored: only the record is bounded.
    assert_eq!(s.stats().puts, 3);
    assert_eq!(parse_used("something else\n"), None);
    assert_eq!(parse_used("gofront-used/1\nnot-hex\n"), None);
}

#[test]
fn arguments_are_checked() {
    let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    for (a, want) in [
        (args(&["--dir", "/x"]), "--used is required"),
        (args(&["--used", "/x"]), "--dir is required"),
        (args(&["--dir"]), "--dir needs a value"),
        (args(&["--bogus", "1"]), "unknown flag --bogus"),
    ] {
        let e = run(&a).unwrap_err().to_string();
        assert!(e.contains(want), "{e}");
    }
}

#[test]
fn an_export_selects_exactly_the_listed_entries_that_are_whole() {
    let dir = TempDir::new("select");
    let cache = dir.0.join("cache");
    let mut s = Server::new(&cache, Limits::default()).unwrap();
    // Four actions; 1 and 2 share an output. The test step used 1 and 3,
    // the build step 2; 4 was put by another build and is in no list.
    let input: Vec<u8> = [
        put(1, &action(1), b"shared"),
        put(2, &action(2), b"shared"),
        put(3, &action(3), b"three"),
        put(4, &action(4), b"four"),
    ]
    .concat();
    session(&mut s, &input).0.unwrap();
    let list = |name: &str, ids: &[u8]| {
        let mut t = Server::new(&cache, Limits::default()).unwrap();
        let input: Vec<u8> = ids
            .iter()
            .flat_map(|&n| get(i64::from(n), &action(n)))
            .collect();
        session(&mut t, &input).0.unwrap();
        let path = dir.0.join("used").join(name);
        t.write_used(&path).unwrap();
        path
    };
    let lists = vec![
        list("test.txt", &[1, 3]),
        list("build.txt", &[2]),
        dir.0.join("used").join("never-ran.txt"),
    ];
    // Action 3's output vanished (trimmed): it is left out, not half-copied.
    fs::remove_file(s.path(&sha(b"three"), 'd')).unwrap();
    let got = select_used(&cache, &lists).unwrap();
    let want: BTreeSet<String> = [
        format!("{}-a", hex::encode(action(1))),
        format!("{}-a", hex::encode(action(2))),
        format!("{}-d", hex::encode(sha(b"shared"))),
    ]
    .into_iter()
    .collect();
    assert_eq!(got, want);
    fs::write(dir.0.join("used").join("bad.txt"), "v1 something\n").unwrap();
    let e = select_used(&cache, &[dir.0.join("used").join("bad.txt")]).unwrap_err();
    assert!(e.to_string().contains("bad.txt: not a used list"), "{e}");
}

#[test]
fn trim_removes_what_went_unused_for_five_days_at_most_once_a_day() {
    let dir = TempDir::new("trim");
    let mut s = server(&dir);
    let input: Vec<u8> = (1..=2u8)
        .flat_map(|n| put(i64::from(n), &action(n), &[n]))
        .collect();
    session(&mut s, &input).0.unwrap();
    // The end of the session trimmed (nothing was old) and noted it.
    let stamp = dir.0.join("trim.txt");
    assert!(stamp.exists());
    fs::remove_file(&stamp).unwrap();
    let day = Duration::from_secs(24 * 3600);
    let now = SystemTime::now();
    let age = |p: &Path, d: Duration| {
        File::options()
            .write(true)
            .open(p)
            .unwrap()
            .set_modified(now - d)
            .unwrap();
    };
    let (a1, d1) = (s.path(&action(1), 'a'), s.path(&sha(&[1]), 'd'));
    let (a2, d2) = (s.path(&action(2), 'a'), s.path(&sha(&[2]), 'd'));
    age(&a1, 6 * day);
    age(&d1, 6 * day);
    age(&a2, 4 * day);
    // A temporary file a killed writer left, and a file that is not ours.
    let tmp = a1.with_file_name(".gofront-tmp-1-1");
    let other = a1.with_file_name("README");
    fs::write(&tmp, "x").unwrap();
    fs::write(&other, "x").unwrap();
    age(&tmp, 6 * day);
    age(&other, 6 * day);
    assert_eq!(s.trim(now), 3);
    assert!(!a1.exists() && !d1.exists() && !tmp.exists());
    assert!(a2.exists() && d2.exists() && other.exists());
    assert_eq!(
        fs::read_to_string(&stamp).unwrap(),
        now.duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            .to_string()
    );
    // Within a day of the last trim nothing is removed; a day later it is.
    age(&a2, 6 * day);
    assert_eq!(s.trim(now + day / 2), 0);
    assert!(a2.exists());
    assert_eq!(s.trim(now + day + Duration::from_secs(1)), 1);
    assert!(!a2.exists());
    // The trim's own temporary name is gone.
    assert!(walk(&dir.0).iter().all(|n| !n.starts_with(".gofront-tmp")));
}

#[test]
fn a_stored_test_log_reports_reads_outside_the_context_once() {
    let dir = TempDir::new("testlog");
    let mut s = server(&dir).with_context(PathBuf::from("/src"));
    let log = b"# test log\nopen /src/p/testdata/x.json\nopen /etc/hosts\nstat /dev/null\n";
    let again = b"# test log\nopen /etc/hosts\nopen /etc/passwd\n";
    let not_a_log = b"open /etc/shadow\n";
    let (r, _) = session(
        &mut s,
        &[
            put(1, &action(1), log),
            put(2, &action(2), again),
            put(3, &action(3), not_a_log),
        ]
        .concat(),
    );
    r.unwrap();
    let reported: Vec<&String> = s.reported().collect();
    assert_eq!(reported, ["/etc/hosts", "/etc/passwd"]);
    // Without a context, nothing is read back.
    let mut plain = server(&dir);
    let (r, _) = session(&mut plain, &put(4, &action(4), log));
    r.unwrap();
    assert_eq!(plain.reported().count(), 0);
}
