"""Falco's output channels (file_output, program_output, http_output,
syslog_output) on the real daemon, in `-e` batch replay and daemon mode.

Falco's own test contract: with file_output and program_output (`cat >>
FILE`) enabled, each file holds exactly the alert lines printed on stdout,
in order. Beyond Falco: each channel has its own bounded queue and thread,
so a channel that blocks loses its oldest alerts (counted, logged at
shutdown) while the engine and stdout go on; output_timeout reports a
blocked channel and bounds the shutdown drain."""

import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

import engine_testlib as et
from fapi_testlib import BIN, SHARED_DIR, SLOW, Daemon

FANOUT = et.fixture("outputs_fanout.yaml")
STATS = re.compile(r"\[channels\] (\w+) output: delivered (\d+), failed (\d+), lost (\d+) "
                   r"\(queue full (\d+), discarded at shutdown (\d+)\)")


def channel_stats(stderr):
    """{channel: (delivered, failed, lost, dropped, discarded)} from the shutdown log."""
    out = {}
    for m in STATS.finditer(stderr):
        out[m.group(1)] = tuple(int(m.group(i)) for i in range(2, 7))
    return out


def read_lines(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read().splitlines()


class Sink(http.server.BaseHTTPRequestHandler):
    """Records every POST (headers and body); answers after `delay` s."""
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n).decode("utf-8")
        srv = self.server
        with srv.lock:
            srv.posts.append((dict(self.headers), body))
        if srv.delay:
            time.sleep(srv.delay)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


class HttpSink:
    def __init__(self, delay=0.0):
        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Sink)
        self.srv.daemon_threads = True
        self.srv.posts = []
        self.srv.lock = threading.Lock()
        self.srv.delay = delay
        self.url = "http://127.0.0.1:%d/alerts" % self.srv.server_address[1]
        self.t = threading.Thread(target=self.srv.serve_forever, daemon=True)
        self.t.start()

    def posts(self):
        with self.srv.lock:
            return list(self.srv.posts)

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


class ChannelsBatchTest(et.EngineTest):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="fapi-channels-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def p(self, name):
        return os.path.join(self.dir, name)

    def file_program_args(self, keep_alive, extra=()):
        return ["-o", "file_output.enabled=true", "-o", "file_output.filename=" + self.p("file.txt"),
                "-o", "file_output.keep_alive=%s" % str(keep_alive).lower(),
                "-o", "program_output.enabled=true", "-o", "program_output.program=cat >> " + self.p("prog.txt"),
                "-o", "program_output.keep_alive=%s" % str(keep_alive).lower(),
                "-o", "output_timeout=%d" % (20000 * SLOW)] + list(extra)

    def assert_files_equal_stdout(self, r, n_min=1):
        self.assertGreaterEqual(len(r.alerts), n_min, r.describe())
        self.assertEqual(read_lines(self.p("file.txt")), r.alerts, r.describe())
        self.assertEqual(read_lines(self.p("prog.txt")), r.alerts, r.describe())
        st = channel_stats(r.stderr)
        for ch in ("file", "program"):
            self.assertEqual(st[ch], (len(r.alerts), 0, 0, 0, 0), r.describe())

    def test_file_and_program_equal_stdout_keep_alive(self):
        cap = et.capture("shadow-small")
        r = self.run_ok(FANOUT, cap=cap, args=self.file_program_args(True))
        self.assert_files_equal_stdout(r, n_min=500)

    def test_file_and_program_equal_stdout_reopened_per_alert(self):
        r = self.run_ok(FANOUT, args=self.file_program_args(False))
        self.assert_files_equal_stdout(r, n_min=20)

    def test_falco_captures_and_rules(self):
        if not SHARED_DIR or not os.path.isdir(SHARED_DIR):
            self.skipTest("shared Falco 0.31.1 data not found at %r" % SHARED_DIR)
        rules = [os.path.join(SHARED_DIR, "test_rules", "double_rule.yaml"),
                 os.path.join(SHARED_DIR, "test_rules", "single_rule.yaml")]
        cap = os.path.join(SHARED_DIR, "captures", "cat_write.scap")
        for keep in (True, False):
            for f in ("file.txt", "prog.txt"):
                if os.path.exists(self.p(f)):
                    os.unlink(self.p(f))
            r = self.run_ok(rules, cap=cap, args=self.file_program_args(keep, ["-A"]))
            self.assert_files_equal_stdout(r, n_min=10)

    def test_json_output_in_files(self):
        r = self.run_ok(FANOUT, args=self.file_program_args(True, ["-o", "json_output=true"]))
        self.assertTrue(r.alerts[0].startswith("{"), r.describe())
        self.assert_files_equal_stdout(r, n_min=20)
        self.assertEqual(json.loads(read_lines(self.p("file.txt"))[0])["rule"], "outputs_fanout_exit")

    def test_program_keep_alive_runs_one_process(self):
        """keep_alive: one process for the run; without: one per alert (Falco)."""
        for keep, expect in ((True, 1), (False, None)):
            marks = self.p("marks-%s.txt" % keep)
            r = self.run_ok(FANOUT, args=[
                "-o", "program_output.enabled=true", "-o", "program_output.keep_alive=%s" % str(keep).lower(),
                "-o", "program_output.program=echo started >> %s; cat > /dev/null" % marks])
            self.assertEqual(len(read_lines(marks)), expect or len(r.alerts), r.describe())

    def test_http_posts_each_json_alert(self):
        sink = HttpSink()
        self.addCleanup(sink.close)
        r = self.run_ok(FANOUT, args=["-o", "json_output=true", "-o", "http_output.enabled=true",
                                      "-o", "http_output.url=" + sink.url])
        posts = sink.posts()
        self.assertEqual([b for _, b in posts], r.alerts, r.describe())
        h = {k.lower(): v for k, v in posts[0][0].items()}
        self.assertEqual(h["content-type"], "application/json")
        self.assertEqual(h["user-agent"], "falcosecurity/falco")
        self.assertEqual(channel_stats(r.stderr)["http"], (len(r.alerts), 0, 0, 0, 0), r.describe())

    def test_http_text_alert_and_user_agent(self):
        sink = HttpSink()
        self.addCleanup(sink.close)
        r = self.run_ok(FANOUT, args=["-o", "http_output.enabled=true", "-o", "http_output.url=" + sink.url,
                                      "-o", "http_output.user_agent=my-agent/1"])
        posts = sink.posts()
        self.assertEqual([b for _, b in posts], r.alerts, r.describe())
        h = {k.lower(): v for k, v in posts[0][0].items()}
        self.assertEqual(h["content-type"], "text/plain")
        self.assertEqual(h["user-agent"], "my-agent/1")

    def test_http_unreachable_is_counted_and_logged(self):
        port = et_free_port()
        r = self.run_ok(FANOUT, args=["-o", "http_output.enabled=true",
                                      "-o", "http_output.url=http://127.0.0.1:%d/" % port])
        st = channel_stats(r.stderr)["http"]
        self.assertEqual(st[1], len(r.alerts), r.describe())
        self.assertIn("libcurl error: ", r.stderr)

    def test_slow_program_does_not_hold_the_engine(self):
        """A program that never reads nor exits in time: the replay ends,
        stdout is complete, the channel loses its oldest alerts (counted:
        every alert is delivered, failed or lost) and the other channel
        is complete."""
        cap = et.capture("shadow-small")
        r = self.run_ok(FANOUT, cap=cap, args=[
            "-o", "program_output.enabled=true", "-o", "program_output.keep_alive=true",
            "-o", "program_output.program=exec sleep 3 > /dev/null 2>&1",
            "-o", "program_output.queue_capacity=8", "-o", "output_timeout=300",
            "-o", "file_output.enabled=true", "-o", "file_output.filename=" + self.p("file.txt"),
            "-o", "file_output.keep_alive=true"])
        self.assertGreaterEqual(len(r.alerts), 500, r.describe())
        st = channel_stats(r.stderr)
        delivered, failed, lost, dropped, discarded = st["program"]
        self.assertGreater(dropped, 0, r.describe())
        self.assertEqual(delivered + failed + lost, len(r.alerts), r.describe())
        self.assertLess(delivered, len(r.alerts), r.describe())
        # The other channel is not held by the blocked one.
        self.assertEqual(read_lines(self.p("file.txt")), r.alerts)

    def test_syslog_channel_runs(self):
        r = self.run_ok(FANOUT, args=["-o", "syslog_output.enabled=true"])
        self.assertEqual(channel_stats(r.stderr)["syslog"], (len(r.alerts), 0, 0, 0, 0), r.describe())

    def test_missing_target_is_falcos_error(self):
        for key, msg in (("file_output", "file output enabled but no filename in configuration block"),
                         ("program_output", "program output enabled but no program in configuration block"),
                         ("http_output", "http output enabled but no url in configuration block")):
            r = self.run_engine(FANOUT, args=["-o", key + ".enabled=true"])
            self.assertEqual(r.rc, 1, r.describe())
            self.assertIn(msg, r.stderr)

    def test_no_channel_no_log(self):
        r = self.run_ok(FANOUT)
        self.assertNotIn("[channels]", r.stderr)


def et_free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChannelsDaemonTest(unittest.TestCase):
    """Daemon mode: a looping, paced replay and SIGTERM."""

    def setUp(self):
        et.require_binary()
        self.daemons = []

    def tearDown(self):
        for d in self.daemons:
            d.cleanup()

    def daemon(self, config, args=()):
        cfg = {"rules_file": [FANOUT], "grpc": {"enabled": False}, "load_modules": [],
               "engine": {"capture": {"file": et.capture("basic"), "loop": 0, "rate": 300}}}
        cfg.update(config)
        d = Daemon(cfg, args)
        self.daemons.append(d)
        d.start()
        return d

    def wait_for(self, pred, what, timeout=10):
        deadline = time.time() + timeout * SLOW
        while time.time() < deadline:
            if pred():
                return
            time.sleep(0.05)
        self.fail("timed out waiting for " + what)

    def test_daemon_files_equal_stdout_after_sigterm(self):
        """Daemon mode: at SIGTERM the channels are drained before the
        summary, so the files hold every alert line stdout printed."""
        out = tempfile.mkdtemp(prefix="fapi-ch-")
        self.addCleanup(shutil.rmtree, out, True)
        f, p = os.path.join(out, "file.txt"), os.path.join(out, "prog.txt")
        d = self.daemon({"file_output": {"enabled": True, "keep_alive": True, "filename": f},
                         "program_output": {"enabled": True, "keep_alive": True, "program": "cat >> " + p},
                         "engine": {"capture": {"file": et.capture("shadow-small"), "loop": 3, "rate": 0}}})
        d.wait_log("program output enabled")
        self.wait_for(lambda: "fanout evt=" in d.stdout(), "alerts on stdout")
        self.assertEqual(d.stop(), 0, d.log())
        alerts = [l for l in d.stdout().splitlines() if " fanout evt=" in l]
        self.assertGreater(len(alerts), 0, d.log())
        self.assertEqual(read_lines(f), alerts)
        self.assertEqual(read_lines(p), alerts)
        self.assertEqual(channel_stats(d.log())["file"], (len(alerts), 0, 0, 0, 0), d.log())

    def test_output_timeout_warns_and_bounds_shutdown(self):
        d = self.daemon({"program_output": {"enabled": True, "keep_alive": True,
                                            "program": "exec sleep 30 > /dev/null 2>&1"},
                         "output_timeout": 300,
                         "engine": {"capture": {"file": et.capture("shadow-small"), "loop": 0, "rate": 0}}})
        d.wait_log('"program" output timeout', timeout=20)
        t0 = time.time()
        self.assertEqual(d.stop(), 0, d.log())
        self.assertLess(time.time() - t0, 10 * SLOW, d.log())
        log = d.log()
        self.assertIn("discarding all remaining notifications", log)
        delivered, failed, lost, dropped, discarded = channel_stats(log)["program"]
        self.assertGreater(discarded, 0, log)
        self.assertEqual(lost, dropped + discarded, log)

    def test_file_keep_alive_false_reopens(self):
        """Without keep_alive the file is opened per alert, so a file moved
        away is created again; with keep_alive the open file keeps being
        written (Falco's semantics)."""
        for keep in (False, True):
            path = os.path.join(tempfile.mkdtemp(prefix="fapi-ch-"), "f.txt")
            self.addCleanup(shutil.rmtree, os.path.dirname(path), True)
            d = self.daemon({"file_output": {"enabled": True, "keep_alive": keep, "filename": path},
                             "stdout_output": {"enabled": False}})
            self.wait_for(lambda: os.path.exists(path) and os.path.getsize(path) > 0, "first alert")
            os.rename(path, path + ".old")
            n_old = len(read_lines(path + ".old"))
            time.sleep(0.5 * SLOW)
            if keep:
                self.assertFalse(os.path.exists(path))
                self.assertGreater(len(read_lines(path + ".old")), n_old)
            else:
                self.wait_for(lambda: os.path.exists(path), "the file created again")
            self.assertEqual(d.stop(), 0, d.log())

    def test_unbuffered_flag(self):
        """buffered_outputs: true keeps stdout lines in the buffer; -U
        overrides it, as in Falco, so each alert line is out at once."""
        for unbuffered in (False, True):
            d = self.daemon({"buffered_outputs": True,
                             "engine": {"capture": {"file": et.capture("basic"), "loop": 0, "rate": 100}}},
                            args=["-U"] if unbuffered else [])
            if unbuffered:
                self.wait_for(lambda: "fanout evt=" in d.stdout(), "an alert line on stdout")
            else:
                # Paced at 100 events/s: 1.5 s is at most 150 events, 41
                # alert lines, less than stdio's 4 KiB buffer.
                time.sleep(1.5)
                self.assertEqual(d.stdout(), "")
            self.assertEqual(d.stop(), 0, d.log())
            self.assertIn("fanout evt=", d.stdout())


if __name__ == "__main__":
    unittest.main()
