"""The forward module across repeated NATS restarts, one right after the
kill among them: every alert in the stream once and in the node's order.
The publisher makes each new connection itself, after taking back what the
lost one left unacknowledged, so nothing newer can be stored first."""

import time
import unittest

from test_forward import ForwardBase, forward_config
from test_outputs import wait_for


class ForwardRestartsTest(ForwardBase):
    def test_restarts_keep_every_alert_once_in_order(self):
        self.nats.start()
        n = len(self.expected)
        loop = 16
        d = self.start_daemon(config=forward_config(self.cap, [self.nats.url()], "node-x", loop=loop,
                                                    rate=8000, ack_wait_ms=1000))
        c = self.client()
        wait_for(lambda: c.stream_count() > 0, 20, "the first alerts")
        c.close()
        reconnects = 0
        for down in (0.0, 0.3, 1.0):
            time.sleep(0.7)
            self.nats.kill()
            time.sleep(down)
            self.nats.start()
            reconnects += 1
            wait_for(lambda: d.log().count("NATS reconnected") >= reconnects, 20, "reconnect %d" % reconnects)
        c = self.client()
        wait_for(lambda: c.stream_count() >= loop * n, 60, "every alert after the restarts")
        time.sleep(1)
        msgs = c.messages()
        mine = self.assert_each_once_in_order(msgs, "node-x", loop * n)
        self.assertEqual([b["seq"] for b in mine], list(range(1, loop * n + 1)))
        self.assertGreaterEqual(d.log().count("NATS disconnected"), 3)

    def test_quiet_node_survives_restarts_and_stops_clean(self):
        # Nothing passes the filter: no publish was ever taken on any
        # connection when NATS goes away, twice, and at stop.
        self.nats.start()
        d = self.start_daemon(config=forward_config(self.cap, [self.nats.url()], "node-q", loop=0, rate=2000,
                                                    filter={"rules": ["no such rule"]}))
        d.wait_log("connected to NATS")
        for i in (1, 2):
            self.nats.kill()
            d.wait_log("NATS disconnected")
            self.nats.start()
            wait_for(lambda: d.log().count("NATS reconnected") >= i, 20, "reconnect %d" % i)
        log = self.stop_clean(d)
        self.assertRegex(log, r"forwarded 0 alerts, 0 acknowledged, 0 retried, 0 failed; at stop 0 more "
                              r"acknowledged, 0 not")


if __name__ == "__main__":
    unittest.main()
