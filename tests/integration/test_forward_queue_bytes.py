"""The forward module's queue bounded in bytes (queue_bytes) against a real
nats-server: while NATS is away the oldest alerts beyond the bytes are
dropped and counted exactly, in the log, on the drops stream and by what
reaches the stream afterwards (the newest, each once, in order)."""

import time
import unittest

from test_forward import forward_config
from test_forward_queue import ForwardQueueBase
from test_outputs import wait_for


class ForwardQueueBytesTest(ForwardQueueBase):
    def test_overflow_in_bytes_counted_exactly(self):
        # The same with a queue long in alerts but short in bytes: the
        # byte bound drops the oldest, counted exactly on the drops stream,
        # in the log and by what reaches the stream (the newest, each once).
        n = len(self.expected)
        qb = 8192
        d = self.start_daemon(config=forward_config(self.cap, [self.nats.url()], "node-b", queue_capacity=100000,
                                                    queue_bytes=qb, rate=1500))
        reports = self.drops_while_replaying(d)
        lost = reports[-1]["total_lost"]
        self.assertGreater(lost, 0)
        self.assertLess(lost, n)
        self.nats.start()
        c = self.client()
        wait_for(lambda: c.stream_count() >= n - lost, 30, "the queued alerts")
        d.wait_log("(%d in all)" % lost, timeout=10)
        time.sleep(1)
        msgs = c.messages()
        mine = self.assert_each_once_in_order(msgs, "node-b", n - lost)
        self.assertEqual([m["seq"] for m in mine], list(range(lost + 1, n + 1)))
        # What was kept fits the bound (each alert holds at least its
        # output and text), and not a handful of alerts more.
        held = sum(len(m["output"].encode()) for m in mine)
        self.assertLessEqual(held, qb)
        self.assertLess(n - lost, 100)


if __name__ == "__main__":
    unittest.main()
