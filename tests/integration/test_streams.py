"""The server-streaming and bidirectional machinery, through the streamtest
module: bounded queues with on_writable, in-order delivery, bidirectional
echo, errors, cancellation, and SIGTERM with streams open."""

import os
import threading
import time
import unittest

import grpc

from fapi_testlib import SLOW, TEST_MODULE_DIR, DaemonTest, bidi, server_stream

import health_pb2
import streamtest_pb2 as st


def config():
    return {"load_modules": ["version", "streamtest"],
            "modules": [{"name": "streamtest", "library_path": os.path.join(TEST_MODULE_DIR, "mod_streamtest.so")}]}


class StreamTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.d = self.start_daemon(config=config())
        self.ch = grpc.insecure_channel(self.d.target)

    def tearDown(self):
        self.ch.close()
        super().tearDown()

    def count(self, n):
        return list(server_stream(self.ch, "/fapi.test.stream/count", st.count_request, st.count_reply)(
            st.count_request(n=n), timeout=60 * SLOW))

    def test_bounded_queue_delivers_everything_in_order(self):
        replies = self.count(5000)
        self.assertEqual([r.seq for r in replies], list(range(5000)))
        # the module's 8-message queue filled up and was refilled from on_writable
        self.assertGreater(replies[-1].efull_seen, 0)

    def test_many_concurrent_streams(self):
        results = {}

        def run(i):
            results[i] = [r.seq for r in self.count(500)]
        threads = [threading.Thread(target=run, args=(i,)) for i in range(32)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(len(results), 32)
        for seqs in results.values():
            self.assertEqual(seqs, list(range(500)))

    def test_bidi_echo_and_half_close(self):
        call = bidi(self.ch, "/fapi.test.stream/echo", st.echo_msg, st.echo_msg)
        it = call(iter([st.echo_msg(text="a", seq=1), st.echo_msg(text="b", seq=10)]), timeout=30 * SLOW)
        got = [(m.text, m.seq) for m in it]
        self.assertEqual(got, [("a", 2), ("b", 11)])
        self.assertEqual(it.code(), grpc.StatusCode.OK)
        self.assertEqual(it.details(), "bye")

    def test_bidi_handler_error_status(self):
        call = bidi(self.ch, "/fapi.test.stream/echo", st.echo_msg, st.echo_msg)
        it = call(iter([st.echo_msg(text="x"), st.echo_msg(text="fail"), st.echo_msg(text="never")]),
                  timeout=30 * SLOW)
        with self.assertRaises(grpc.RpcError) as e:
            list(it)
        self.assertEqual(e.exception.code(), grpc.StatusCode.FAILED_PRECONDITION)
        self.assertEqual(e.exception.details(), "asked to fail")

    def test_bidi_garbage_is_invalid_argument(self):
        call = self.ch.stream_stream("/fapi.test.stream/echo", request_serializer=lambda b: b,
                                     response_deserializer=lambda b: b)
        with self.assertRaises(grpc.RpcError) as e:
            list(call(iter([b"\xff\xff\xff"]), timeout=30 * SLOW))
        self.assertEqual(e.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)

    def test_client_cancel_closes_stream(self):
        call = server_stream(self.ch, "/fapi.test.stream/hold", st.echo_msg, st.echo_msg)(st.echo_msg(text="c1"))
        self.assertEqual(next(call).text, "held")
        call.cancel()
        self.d.wait_log("hold 'c1' closed: status 1")  # CANCELLED reached on_close

    def test_sigterm_with_open_streams(self):
        hold = server_stream(self.ch, "/fapi.test.stream/hold", st.echo_msg, st.echo_msg)(st.echo_msg(text="t1"))
        self.assertEqual(next(hold).text, "held")
        watch = server_stream(self.ch, "/grpc.health.v1.Health/Watch", health_pb2.HealthCheckRequest,
                              health_pb2.HealthCheckResponse)(health_pb2.HealthCheckRequest())
        self.assertEqual(next(watch).status, health_pb2.HealthCheckResponse.SERVING)
        echo = bidi(self.ch, "/fapi.test.stream/echo", st.echo_msg, st.echo_msg)
        gate = threading.Event()

        def slow_requests():
            yield st.echo_msg(text="one")
            gate.wait(30)
        e_it = echo(slow_requests())
        self.assertEqual(next(e_it).text, "one")
        self.d.proc.send_signal(15)
        # every stream ends with a status, the watcher hears NOT_SERVING first
        with self.assertRaises(grpc.RpcError) as e:
            list(hold)
        self.assertEqual(e.exception.code(), grpc.StatusCode.UNAVAILABLE)
        rest = []
        with self.assertRaises(grpc.RpcError) as e:
            for m in watch:
                rest.append(m.status)
        self.assertEqual(rest, [health_pb2.HealthCheckResponse.NOT_SERVING])
        self.assertEqual(e.exception.code(), grpc.StatusCode.UNAVAILABLE)
        with self.assertRaises(grpc.RpcError) as e:
            list(e_it)
        self.assertEqual(e.exception.code(), grpc.StatusCode.UNAVAILABLE)
        gate.set()
        self.assertEqual(self.d.wait(), 0, self.d.log())
        log = self.d.log()
        self.assertIn("hold 't1' closed: status 14", log)
        self.assertIn("echo closed: status 14", log)
        self.assertNotIn("never released", log)

    def test_sigterm_hands_a_stream_with_on_shutdown_to_its_module(self):
        # linger writes three more messages at shutdown and ends with the
        # status it was asked for; hold, without on_shutdown, ends UNAVAILABLE
        linger = server_stream(self.ch, "/fapi.test.stream/linger", st.echo_msg, st.echo_msg)(
            st.echo_msg(text="closing on request", seq=grpc.StatusCode.ABORTED.value[0]))
        self.assertEqual(next(linger).text, "lingering")
        hold = server_stream(self.ch, "/fapi.test.stream/hold", st.echo_msg, st.echo_msg)(st.echo_msg(text="t2"))
        self.assertEqual(next(hold).text, "held")
        self.d.proc.send_signal(15)
        rest = []
        with self.assertRaises(grpc.RpcError) as e:
            for m in linger:
                rest.append((m.text, m.seq))
        self.assertEqual(rest, [("goodbye", 1), ("goodbye", 2), ("goodbye", 3)])
        self.assertEqual(e.exception.code(), grpc.StatusCode.ABORTED)
        self.assertEqual(e.exception.details(), "closing on request")
        with self.assertRaises(grpc.RpcError) as e:
            list(hold)
        self.assertEqual(e.exception.code(), grpc.StatusCode.UNAVAILABLE)
        self.assertEqual(self.d.wait(), 0, self.d.log())
        log = self.d.log()
        self.assertIn("linger closed: status 10", log)
        self.assertIn("hold 't2' closed: status 14", log)


class OldModuleStreamTest(DaemonTest):
    """A module built for ABI 1.1 (against the frozen headers of
    tests/modules/abi11) hands a fapi_stream_method of the 1.1 layout: the
    host reads none of the later fields (on_shutdown came with 1.2), and
    its streams end UNAVAILABLE at shutdown as they always did."""

    def test_on_shutdown_of_an_older_module_is_not_read(self):
        d = self.start_daemon(config={
            "load_modules": ["version", "streamtest_old"],
            "modules": [{"name": "streamtest_old", "library_path": os.path.join(TEST_MODULE_DIR,
                                                                               "mod_streamtest_old.so")}]})
        self.assertIn("loaded streamtest_old 0.0.1 (ABI 1.1)", d.log())
        with grpc.insecure_channel(d.target) as ch:
            linger = server_stream(ch, "/fapi.test.stream/linger", st.echo_msg, st.echo_msg)(
                st.echo_msg(text="closing on request", seq=grpc.StatusCode.ABORTED.value[0]))
            self.assertEqual(next(linger).text, "lingering")
            d.proc.send_signal(15)
            with self.assertRaises(grpc.RpcError) as e:
                list(linger)
            self.assertEqual(e.exception.code(), grpc.StatusCode.UNAVAILABLE)
        self.assertEqual(d.wait(), 0, d.log())
        self.assertNotIn("linger: on_shutdown", d.log())
        self.assertIn("linger closed: status 14", d.log())


if __name__ == "__main__":
    unittest.main()
