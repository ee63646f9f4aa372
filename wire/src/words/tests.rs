//! The words of each request: round trips, packing in place, and the
//! layout pinned word for word.

use super::super::{ActionRequest, ApprovalRequest, Packer, Principal, Scope, Session, SessionRef, StartRequest};

fn principal(p: &mut Packer, id: &str, active: bool) -> Principal {
    Principal {
        id: p.str(id),
        tenant: p.str("acme"),
        roles: p.strs(&["a", "b"]),
        permissions: p.strs(&["x"]),
        attributes: p.pairs([("k", "v")]),
        active,
        has_logged_in: !active,
        ..Principal::default()
    }
}

#[test]
fn start_requests_cross_the_boundary_unchanged() {
    let mut p = Packer::default();
    let (actor, target) = (principal(&mut p, "u-1", true), principal(&mut p, "u-2", false));
    let (tenant, reason, sid, st) = (p.str("acme"), p.str("why"), p.str("s-1"), p.str("u-3"));
    let scope = Scope {
        actions: p.strs(&["report.*", "ticket.comment"]),
        resources: p.strs(&["account:17"]),
    };
    let (text, spans) = p.finish();
    for (session, ttl, consent, scope) in [
        (None, None, false, None),
        (Some(SessionRef { id: sid, target: st }), Some(60), true, Some(scope)),
    ] {
        let r = StartRequest {
            text: text.clone(),
            spans: spans.clone(),
            tenant,
            actor,
            target,
            reason: ttl.map(|_| reason),
            ttl_seconds: ttl,
            domain: None,
            actor_session: session,
            consent_on_behalf: consent,
            now: 1_800_000_000,
            scope,
        };
        let words = r.to_words();
        // The tail comes after every span; the header is as before 0.6.0.
        assert_eq!(
            words.len(),
            super::START + spans.len() + if scope.is_some() { 2 } else { 0 }
        );
        let (head, spans) = StartRequest::read_header(&words).expect("a whole header");
        let read = StartRequest {
            text: text.clone(),
            spans: spans.to_vec(),
            ..head
        };
        assert_eq!(read, r);
        let approval = ApprovalRequest {
            start: r.clone(),
            approver: actor,
        };
        let words = approval.to_words();
        let (head, spans) = ApprovalRequest::read_header(&words).expect("a whole header");
        assert_eq!(head.start.scope, scope);
        assert_eq!(spans, &r.spans[..]);
    }
    assert!(StartRequest::read_header(&[0; 3]).is_none());
}

#[test]
fn packing_in_place_gives_the_same_words() {
    let pack = |p: &mut Packer| {
        let actor = principal(p, "u-1", true);
        let target = principal(p, "u-2", false);
        (p.str("acme"), actor, target)
    };
    let mut apart = Packer::default();
    let (tenant, actor, target) = pack(&mut apart);
    let (text, spans) = apart.finish();
    let r = StartRequest {
        text,
        spans,
        tenant,
        actor,
        target,
        now: 5,
        ..StartRequest::default()
    };
    // Buffers with leftovers of an earlier request, as reused ones have.
    let mut over = Packer::over("stale".into(), alloc::vec![9; 40], super::START);
    let (tenant, actor, target) = pack(&mut over);
    assert_eq!(over.spans_len(), r.spans.len());
    let (text, mut words) = over.into_parts();
    let head = StartRequest {
        tenant,
        actor,
        target,
        now: 5,
        ..StartRequest::default()
    };
    words[..super::START].copy_from_slice(&head.header());
    assert_eq!((text, words), (r.text.clone(), r.to_words()));
}

#[test]
fn action_requests_cross_the_boundary_unchanged() {
    let mut p = Packer::default();
    let (actor, target) = (principal(&mut p, "u-1", true), principal(&mut p, "u-2", true));
    let (tenant, id, action, domain) = (p.str("acme"), p.str("s-1"), p.str("billing.purchase"), p.str("d"));
    let (text, spans) = p.finish();
    for (resource, read_only) in [(None, false), (Some(action), true)] {
        let r = ActionRequest {
            text: text.clone(),
            spans: spans.clone(),
            tenant,
            session: Session {
                id,
                actor,
                target,
                started_at: 1,
                expires_at: 2,
                domain: resource.map(|_| domain),
                reason: None,
                read_only,
            },
            action,
            resource,
            now: 3,
        };
        let words = r.to_words();
        let (head, spans) = ActionRequest::read_header(&words).expect("a whole header");
        let read = ActionRequest {
            text: text.clone(),
            spans: spans.to_vec(),
            ..head
        };
        assert_eq!(read, r);
    }
}

/// A principal whose words are `base..base + 9`, active, never logged in.
fn numbered(base: u64) -> Principal {
    Principal {
        id: base,
        tenant: base + 1,
        roles: base + 2,
        permissions: base + 3,
        groups: base + 4,
        manages: base + 5,
        domains: base + 6,
        consents: base + 7,
        attributes: base + 8,
        active: true,
        has_logged_in: false,
    }
}

fn words_of(base: u64, flags: u64) -> alloc::vec::Vec<u64> {
    (base..base + 9).chain([flags]).collect()
}

/// The layouts are the WIT package's, word for word (`wit/policy.wit`):
/// components built with an older SDK read what this one writes.
#[test]
fn headers_keep_the_documented_layout() {
    let start = StartRequest {
        tenant: 1,
        actor: numbered(10),
        target: numbered(20),
        reason: Some(30),
        ttl_seconds: None,
        domain: Some(32),
        actor_session: Some(SessionRef { id: 33, target: 34 }),
        consent_on_behalf: true,
        now: 35,
        ..StartRequest::default()
    };
    let mut expected = alloc::vec![1];
    expected.extend(words_of(10, 1));
    expected.extend(words_of(20, 1));
    // ttl absent: 0 and its bit clear; bits 0 reason, 2 domain, 3 actor-session, 4 consent.
    expected.extend([30, 0, 32, 33, 34, 35, 0b11101]);
    assert_eq!(start.header().as_slice(), expected.as_slice());
    let (read, _) = StartRequest::read_header(&expected).expect("read");
    assert_eq!(read, start);

    let approval = ApprovalRequest {
        start: start.clone(),
        approver: Principal {
            has_logged_in: true,
            active: false,
            ..numbered(40)
        },
    };
    expected.extend(words_of(40, 2));
    assert_eq!(approval.header().as_slice(), expected.as_slice());
    assert_eq!(ApprovalRequest::read_header(&expected).expect("read").0, approval);

    let action = ActionRequest {
        tenant: 1,
        session: Session {
            id: 2,
            actor: numbered(10),
            target: numbered(20),
            started_at: 30,
            expires_at: 31,
            domain: None,
            reason: Some(33),
            read_only: true,
        },
        action: 34,
        resource: Some(35),
        now: 36,
        ..ActionRequest::default()
    };
    let mut expected = alloc::vec![1, 2];
    expected.extend(words_of(10, 1));
    expected.extend(words_of(20, 1));
    // bits 1 reason, 2 resource, 3 read-only; domain absent.
    expected.extend([30, 31, 0, 33, 34, 35, 36, 0b1110]);
    assert_eq!(action.header().as_slice(), expected.as_slice());
    assert_eq!(ActionRequest::read_header(&expected).expect("read").0, action);

    assert_eq!(super::action_item(7, Some(8)), [7, 8, 1]);
    assert_eq!(super::action_item(7, None), [7, 0, 0]);
    let items: alloc::vec::Vec<_> = super::read_action_items(&[7, 8, 1, 9, 0, 0, 5]).collect();
    assert_eq!(items, [(7, Some(8)), (9, None)]);
}

#[test]
fn strings_of_every_short_length_pack_and_read_back() {
    use alloc::string::{String, ToString};
    use alloc::vec::Vec;
    let mut p = Packer::with_capacity(0, 0);
    let texts: Vec<String> = (0..40).map(|n| "abcdefghij".repeat(4)[..n].to_string()).collect();
    let spans: Vec<u64> = texts.iter().map(|t| p.str(t)).collect();
    let (text, _) = p.finish();
    for (t, span) in texts.iter().zip(spans) {
        let (at, len) = ((span >> 32) as usize, (span & 0xffff_ffff) as usize);
        assert_eq!(&text[at..at + len], t);
    }
    assert_eq!(text.len(), (0..40).sum::<usize>());
}

/// `strs` reserves once for a whole list and then writes without checks:
/// lists of every short length, after text and spans already packed (so
/// nothing starts at 0), read back string for string.
#[test]
fn lists_of_strings_of_every_length_pack_and_read_back() {
    use alloc::string::{String, ToString};
    use alloc::vec::Vec;
    let mut p = Packer::over(String::new(), Vec::new(), 3);
    p.push("before");
    let texts: Vec<String> = (0..70).map(|n| "abcdefghij".repeat(7)[..n].to_string()).collect();
    let lists: Vec<(u64, &[String])> = (0..texts.len())
        .step_by(7)
        .map(|at| {
            let list = &texts[at..(at + 9).min(texts.len())];
            (p.strs(list), list)
        })
        .collect();
    let empty = p.strs::<&str>(&[]);
    let (text, words) = p.into_parts();
    let spans = &words[3..];
    for (strs, list) in lists {
        let (first, count) = ((strs >> 32) as usize, (strs & 0xffff_ffff) as usize);
        assert_eq!(count, list.len());
        for (span, t) in spans[first..first + count].iter().zip(list) {
            let (at, len) = ((span >> 32) as usize, (span & 0xffff_ffff) as usize);
            assert_eq!(&text[at..at + len], t);
        }
    }
    assert_eq!(empty & 0xffff_ffff, 0);
    assert_eq!(&text[..6], "before");
}
