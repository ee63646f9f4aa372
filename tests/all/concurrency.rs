//! One policy, many threads: every answer is the right one.

use crate::common::*;
use serde_json::json;

#[test]
fn many_threads_share_one_policy() {
    let p = policy(json!({"require_reason": true}));
    std::thread::scope(|s| {
        for t in 0..8 {
            let p = &p;
            s.spawn(move || {
                for i in 0..100 {
                    let with_reason = (i + t) % 2 == 0;
                    let extra = if with_reason {
                        json!({"reason": "SUP-1"})
                    } else {
                        json!({})
                    };
                    let d = start(p, actor(), target(), extra);
                    if with_reason {
                        assert_allow(&d);
                    } else {
                        assert_deny(&d, &["reason-required"]);
                    }
                    assert_deny(&action(p, "billing.purchase", json!({})), &["forbidden-action"]);
                }
            });
        }
    });
}

#[test]
fn fresh_pooled_instance_per_call_answers_like_a_warm_one() {
    // A fresh instance per call from a small pool: slots are reset and
    // reused (kept resident), and every answer is still right.
    let host = crate::fresh::fresh_host(Some(4));
    let p = host.load_default(r#"{"require_reason": true}"#).expect("loads");
    for i in 0..20 {
        let extra = if i % 2 == 0 {
            json!({"reason": "SUP-1"})
        } else {
            json!({})
        };
        let d = p.evaluate_start(&start_request(actor(), target(), extra), now());
        if i % 2 == 0 {
            assert_allow(&d);
        } else {
            assert_deny(&d, &["reason-required"]);
        }
    }
}
