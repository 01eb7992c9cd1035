"""The forward module's bounded queue against a real nats-server: while
NATS is away the oldest alerts beyond the queue (in alerts here, in bytes
in test_forward_queue_bytes.py, apart to stay under a minute under ASan)
are dropped and counted exactly, in the log, on the drops stream and by
what reaches the stream afterwards (the newest, each once, in order)."""

import json
import subprocess
import time
import unittest

from fapi_testlib import SLOW
from test_forward import FAPICTL, ForwardBase, forward_config
from test_outputs import wait_for

# The drops watch outlasts one paced pass (about 6 s, wall-clock paced, so
# not much longer under ASan once the daemon is up).
WATCH_S = 8 * min(SLOW, 2)


class ForwardQueueBase(ForwardBase):
    def drops_while_replaying(self, d):
        """The forward module's loss reports on d's drops stream during the pass."""
        watch = subprocess.Popen([FAPICTL, "drops", "watch", "--kinds", "output_queue", "--interval", "200ms",
                                  "--json", "--timeout", str(WATCH_S), "--target", "unix://" + d.socket],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out, err = watch.communicate(timeout=30 * SLOW)
        self.assertEqual(watch.returncode, 0, err)
        reports = [json.loads(l) for l in out.splitlines()]
        self.assertTrue(reports, "no loss report on the drops stream")
        self.assertEqual({r["source"] for r in reports}, {"forward"})
        return reports


class ForwardQueueTest(ForwardQueueBase):
    def test_overflow_counted_exactly(self):
        # NATS is away while one pass is replayed (paced, so that a drops
        # stream is open before the queue of 5 overflows): the 5 newest
        # wait and reach the stream, the rest are counted as lost, in the
        # log and on the drops stream.
        n = len(self.expected)
        self.assertGreater(n, 5)
        d = self.start_daemon(config=forward_config(self.cap, [self.nats.url()], "node-o", queue_capacity=5,
                                                    rate=1500))
        reports = self.drops_while_replaying(d)
        # total_lost is the running total: exact whenever the stream opened.
        self.assertEqual(reports[-1]["total_lost"], n - 5)
        self.nats.start()
        c = self.client()
        wait_for(lambda: c.stream_count() >= 5, 30, "the queued alerts")
        d.wait_log("in all)", timeout=10)
        time.sleep(1)
        msgs = c.messages()
        mine = self.assert_each_once_in_order(msgs, "node-o", 5)
        self.assertEqual([m["seq"] for m in mine], list(range(n - 4, n + 1)))
        self.assertIn("(%d in all)" % (n - 5), d.log())


if __name__ == "__main__":
    unittest.main()
