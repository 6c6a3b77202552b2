"""The short form of the chaos harness (chaos.py): about a minute of load under SIGKILLs,
restarts, a paused subscriber and a publisher restarted mid-burst, then nothing lost, nothing
doubled. And the harness itself must fail loudly when a consumer is built to lose events."""
import os
import time

import chaos

SEED = int(os.environ.get("PACER_CHAOS_SEED", time.time()))


def test_nothing_lost_or_doubled_under_faults():
    harness = chaos.Harness(duration=60, seed=SEED)
    try:
        found = harness.run()
    finally:
        harness.close()
    assert sum(harness.faults["killed"].values()) >= 10 and min(harness.faults["killed"].values()) >= 2
    assert harness.faults["paused"] == 1 and harness.faults["pairs"] == 1 and harness.faults["publisher_mid_burst"] == 1
    assert harness.faults["garbled"] == 1
    assert harness.stats["deals"] > 0 and harness.stats["payments"] > 0 and harness.stats["cdr_calls"] > 0
    assert found == [], f"seed {SEED}: " + "; ".join(found)


def test_the_harness_catches_a_consumer_that_loses_events():
    # pacer-kpi built (debug) to mark every 40th event applied without applying it.
    harness = chaos.Harness(duration=15, seed=SEED, fault_env={"kpi": {"PACER_FAULT_INJECT": "drop-every-40"}}, grace=3)
    try:
        found = harness.run()
    finally:
        harness.close()
    assert found, "the injected loss went unnoticed"
    assert any(line.split(" of ")[0] in {"calls", "talk_seconds", "won_amount", "won_deals", "cash_received", "receivables_overdue"}
               for line in found)
