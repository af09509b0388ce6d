"""The resident check service: a real ``plagcheck serve`` process on a socket in the test's folder,
answering ``check --server`` and ``report --server`` as the local commands answer."""

from __future__ import annotations

import json
import os
import re
import select
import signal
import socket
import stat
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from plagcheck.cli import cli
from tests.builders import make_docx_bomb, make_pdf

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "corpus" / "samples"
THESIS = ROOT / "corpus" / "theses" / "sample-thesis.pdf"


class Service:
    """A ``plagcheck serve`` subprocess and where it listens."""

    def __init__(self, db: Path, socket_path: Path, *args: str):
        self.db, self.socket = db, socket_path
        self.log = socket_path.with_name(socket_path.name + ".log")
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "plagcheck", "-v", "serve", "--db", str(db), "--socket", str(socket_path),
                 *args], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)

    def wait_until_listening(self, timeout: float = 60) -> Service:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"serve exited with {self.proc.returncode}: {self.log.read_text()}"
            if self.socket.is_socket():
                with socket.socket(socket.AF_UNIX) as probe:
                    try:
                        probe.connect(str(self.socket))  # (bound a moment before it listens)
                        return self
                    except ConnectionRefusedError:
                        pass
            time.sleep(0.02)
        raise AssertionError(f"no socket at {self.socket} after {timeout} s: {self.log.read_text()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("service")
    db = tmp / "corpus.db"
    added = CliRunner().invoke(cli, ["corpus", "add", str(SAMPLES), "--metadata", str(SAMPLES / "metadata.csv"),
                                     "--db", str(db), "-j", "1"])
    assert added.exit_code == 0, added.output
    served = Service(db, tmp / "corpus.db.sock")
    try:
        yield served.wait_until_listening()
    finally:
        served.stop()


def _local(service, *args):
    return CliRunner().invoke(cli, [*args, "--db", str(service.db)])


def _served(service, *args):
    return CliRunner().invoke(cli, [*args, "--server", str(service.socket)])


def _without_timings(check_json: str) -> dict:
    data = json.loads(check_json)
    data.pop("timings")
    data.pop("created_at", None)
    return data


def test_served_check_prints_what_the_local_check_prints(service):
    for fmt in ("json", "text"):
        local = _local(service, "check", str(THESIS), "--format", fmt)
        served = _served(service, "check", str(THESIS), "--format", fmt)
        assert (served.exit_code, local.exit_code) == (0, 0), served.output + local.output
        if fmt == "json":
            assert _without_timings(served.stdout) == _without_timings(local.stdout)
            assert json.loads(served.stdout)["sources"]
        else:
            assert served.stdout == local.stdout
    assert stat.S_IMODE(os.stat(service.socket).st_mode) == 0o600  # only its own user may submit


def test_served_report_writes_the_local_report(service, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    options = ["--include-quotes", "--min-words", "8", "--title", "Тест «диссертация»", "--author", "Ә. Автор"]
    local = _local(service, "report", str(THESIS), "--out", "local.html", *options)
    served = _served(service, "report", str(THESIS), "--out", "served.html", *options)
    assert (served.exit_code, local.exit_code) == (0, 0), served.output + local.output
    assert served.stdout.replace("served.html", "local.html") == local.stdout
    assert "report written to served.html" in served.stdout

    def comparable(html: str) -> str:  # the check's timings and the creation time differ
        html = re.sub(r"(&quot;timings&quot;: \{)[^}]*\}", r"\1}", html)
        return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", "TIME", html)

    served_html = (tmp_path / "served.html").read_text(encoding="utf-8")
    assert comparable(served_html) == comparable((tmp_path / "local.html").read_text(encoding="utf-8"))
    assert "Тест «диссертация»" in served_html and "/tmp/plagcheck-" not in served_html

    # the labels' language goes with the request
    served_kk = _served(service, "report", str(THESIS), "--out", "served-kk.html", "--lang", "kk", *options)
    assert served_kk.exit_code == 0, served_kk.output
    assert '<html lang="kk">' in (tmp_path / "served-kk.html").read_text(encoding="utf-8")
    wrong_lang = {"protocol": 1, "command": "report", "name": "t.txt", "format": "html", "lang": "fr", "size": 0}
    assert "lang must be one of kk, ru, en" in _raw_request(service, json.dumps(wrong_lang).encode())["error"]

    # the default name and the format from --out are the client's: the PDF report lands here
    served_pdf = _served(service, "report", str(THESIS), "--format", "pdf")
    assert served_pdf.exit_code == 0, served_pdf.output
    assert (tmp_path / "sample-thesis.report.pdf").read_bytes().startswith(b"%PDF")


def test_a_bad_file_gets_the_local_error_and_the_service_goes_on(service, tmp_path):
    locked = make_pdf(tmp_path / "locked.pdf", [["Закрытый текст диссертации."]], encrypt="pw")
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04broken")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    legacy = tmp_path / "thesis.doc"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0")
    for path, reason in ((locked, "encrypted PDF"), (broken, "corrupt DOCX"), (empty, "empty file"),
                         (legacy, "corrupt .doc file: not a Word document")):
        for command in (["check", str(path)], ["report", str(path), "--out", str(tmp_path / "r.html")]):
            local, served = _local(service, *command), _served(service, *command)
            assert served.exit_code == local.exit_code == 1
            assert served.output == local.output  # named as the user named it, not as the service saw it
            assert served.output.startswith(f"Error: {path}: ") and reason in served.output
            assert served.output.count("\n") == 1
    assert not (tmp_path / "r.html").exists()
    assert _served(service, "check", str(THESIS)).exit_code == 0  # still answering



def test_a_zip_bomb_fails_alone_and_the_service_goes_on(service, tmp_path):
    """A DOCX whose document.xml unpacks to 160 MiB of paragraphs is refused in a second, in one
    line; files are extracted in a child process under a memory and time limit, so none can take
    the service down."""
    bomb = make_docx_bomb(tmp_path / "bomb.docx", 160 * 2**20)
    started = time.monotonic()
    served = _served(service, "check", str(bomb))
    assert time.monotonic() - started < 10
    assert served.exit_code == 1 and served.output.count("\n") == 1
    assert served.output.startswith(f"Error: {bomb}: DOCX refused: its part word/document.xml is larger than")
    assert service.proc.poll() is None
    assert _served(service, "check", str(THESIS)).exit_code == 0

def _raw_request(service, header: bytes, body: bytes = b"") -> dict:
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(str(service.socket))
        sock.sendall(struct.pack(">I", len(header)) + header + body)
        length, = struct.unpack(">I", sock.recv(4, socket.MSG_WAITALL))
        return json.loads(sock.recv(length, socket.MSG_WAITALL))


def test_malformed_requests_and_unexpected_errors_are_one_line_and_the_service_goes_on(service):
    assert "malformed request" in _raw_request(service, b"not json")["error"]
    assert "malformed request" in _raw_request(service, b"[" * 100_000)["error"]  # deep nesting
    wrong_type = {"protocol": 1, "command": "check", "name": "t.txt", "format": "json", "db": {"a": 1}, "size": 0}
    assert "malformed request" in _raw_request(service, json.dumps(wrong_type).encode())["error"]
    header = {"protocol": 1, "command": "report", "name": "t.txt", "format": "html",
              "options": {"min_words": -1}, "size": 5}  # ReportOptions refuses it deep inside the check
    reply = _raw_request(service, json.dumps(header).encode(), b"hello")
    assert reply["ok"] is False and "\n" not in reply["error"]
    assert reply["error"].startswith("t.txt: the check service failed (ValueError: min_words must not be negative)")
    too_big = {**header, "options": {}, "size": 300 * 2**20}  # refused before the body is sent
    assert "t.txt: too large for the check service (300 MiB; it accepts up to 200 MiB)" in \
        _raw_request(service, json.dumps(too_big).encode())["error"]
    other_db = _served(service, "check", str(THESIS), "--db", str(service.db.with_name("other.db")))
    assert other_db.exit_code == 1 and "the check service uses the database" in other_db.output
    assert _served(service, "check", str(THESIS)).exit_code == 0
    assert "Traceback" in service.log.read_text()  # the unexpected error is logged in full


def test_documents_added_and_index_swapped_after_start_are_seen(service, tmp_path, ru_text, en_text):
    copied = " ".join(ru_text.split()[100:260])
    thesis = tmp_path / "thesis.txt"
    thesis.write_text(en_text[:1500] + "\n" + copied + "\n" + en_text[1500:], encoding="utf-8")
    source = tmp_path / "kazinform.txt"
    source.write_text(ru_text, encoding="utf-8")

    def sources() -> dict:
        served = _served(service, "check", str(thesis), "--format", "json")
        assert served.exit_code == 0, served.output
        local = _local(service, "check", str(thesis), "--format", "json")
        assert _without_timings(served.stdout) == _without_timings(local.stdout)
        return json.loads(served.stdout)

    before = sources()
    assert str(source) not in [s["path"] for s in before["sources"]]
    # another process (this one) writes while the service has the database open
    assert CliRunner().invoke(cli, ["corpus", "add", str(source), "--db", str(service.db)]).exit_code == 0
    after = sources()
    assert [s["path"] for s in after["sources"]] == [str(source)]
    assert after["corpus"]["documents"] == before["corpus"]["documents"] + 1

    generation = after["corpus"]["generation"]
    reindexed = CliRunner().invoke(cli, ["reindex", "--full", "--passage-words", "30", "--db", str(service.db)])
    assert reindexed.exit_code == 0, reindexed.output
    swapped = sources()
    assert swapped["corpus"]["generation"] == generation + 1
    assert swapped["corpus"]["index_params"]["passage_words"] == 30
    assert [s["path"] for s in swapped["sources"]] == [str(source)]


def test_the_client_loads_none_of_the_heavy_stages(service):
    script = ("import sys\nfrom plagcheck.cli import cli\n"
              "try:\n    cli(sys.argv[1:])\nexcept SystemExit as end:\n    assert not end.code, end.code\n"
              "heavy = [m for m in ('sklearn', 'scipy', 'datasketch', 'plagcheck.check', 'plagcheck.report.build')"
              " if m in sys.modules]\nassert not heavy, heavy\n")
    run = subprocess.run([sys.executable, "-c", script, "check", str(THESIS), "--format", "json"], cwd=ROOT,
                         capture_output=True, text=True, env={**os.environ, "PLAGCHECK_SERVER": str(service.socket)})
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["sources"]


def test_an_unreachable_service_is_an_error_naming_the_socket(tmp_path):
    missing = tmp_path / "nobody.sock"
    result = CliRunner().invoke(cli, ["check", str(THESIS), "--server", str(missing)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: no check service at {missing} (no such socket)")
    with socket.socket(socket.AF_UNIX) as dead:  # a socket file nobody listens on
        dead.bind(str(missing))
    result = CliRunner().invoke(cli, ["report", str(THESIS), "--server", str(missing), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 1 and "nothing listens on the socket" in result.output
    assert result.output.count("\n") == 1 and not (tmp_path / "r.html").exists()


def test_stale_socket_replaced_live_one_kept_and_sigterm_finishes_the_request_in_hand(service, tmp_path):
    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as stale:  # left by a service that was killed
        stale.bind(str(path))
    second = Service(service.db, path, "--max-mib", "1")
    try:
        second.wait_until_listening()
        taken = Service(service.db, path)  # a live service's socket is not taken over
        assert taken.proc.wait(timeout=60) == 1
        assert f"a check service already listens on {path}" in taken.log.read_text()

        big = tmp_path / "big.txt"
        big.write_text("слово " * 200_000, encoding="utf-8")
        result = CliRunner().invoke(cli, ["check", str(big), "--server", str(path)])
        assert result.exit_code == 1
        assert f"{big}: too large for the check service (2 MiB; it accepts up to 1 MiB)" in result.output

        data = THESIS.read_bytes()
        header = json.dumps({"protocol": 1, "command": "check", "name": "t.pdf", "format": "json",
                             "size": len(data)}).encode()
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(path))
            sock.sendall(struct.pack(">I", len(header)) + header + data[:1000])
            time.sleep(0.3)  # the service has taken the request and waits for the rest
            second.proc.send_signal(signal.SIGTERM)
            time.sleep(0.3)
            sock.sendall(data[1000:])
            length, = struct.unpack(">I", sock.recv(4, socket.MSG_WAITALL))
            reply = json.loads(sock.recv(length, socket.MSG_WAITALL))
        assert reply["ok"], reply
        assert json.loads(reply["lines"][0])["document"]["path"] == "t.pdf"
        assert second.proc.wait(timeout=30) == 0
        assert not path.exists()
    finally:
        second.stop()


def test_served_check_excludes_the_named_document_as_the_local_one_does(service):
    sample = SAMPLES / "ru-03-school-psychology.txt"  # a corpus document checked as itself
    local = _local(service, "check", str(sample), "--format", "json")
    (source,) = json.loads(local.stdout)["sources"]
    assert json.loads(local.stdout)["similarity"] == 1.0
    args = ("check", str(sample), "--format", "json", "--exclude-document", str(source["id"]))
    local, served = _local(service, *args), _served(service, *args)
    assert (served.exit_code, local.exit_code) == (0, 0), served.output + local.output
    assert _without_timings(served.stdout) == _without_timings(local.stdout)
    assert json.loads(served.stdout)["similarity"] == 0.0


def test_a_trickling_client_is_dropped_at_the_deadline_and_the_next_one_answered(service, tmp_path):
    """Requests are answered one at a time, so a client sending a byte every 0.2 s (never silent
    long enough for the per-read timeout) would hold every other client for ever; the request
    deadline (here 1.5 s) drops it, with a reply saying why, and the waiting check is answered."""
    path = tmp_path / "q.sock"
    quick = Service(service.db, path, "--request-seconds", "1.5")
    try:
        quick.wait_until_listening()
        deadline = time.monotonic() + 60
        while "check service listening on" not in quick.log.read_text():  # stages loaded: it accepts now
            assert time.monotonic() < deadline and quick.proc.poll() is None, quick.log.read_text()
            time.sleep(0.05)
        data = THESIS.read_bytes()
        header = json.dumps({"protocol": 1, "command": "check", "name": "slow.pdf", "format": "json",
                             "size": len(data)}).encode()
        frame = struct.pack(">I", len(header)) + header + data
        with socket.socket(socket.AF_UNIX) as slow:
            slow.connect(str(path))
            slow.sendall(frame[:10])
            started = time.monotonic()
            waiting = subprocess.Popen([sys.executable, "-m", "plagcheck", "check", str(THESIS), "--format", "json",
                                        "--server", str(path)], cwd=ROOT, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True)
            reply = None
            for byte in frame[10:]:
                if time.monotonic() - started > 10:
                    break
                if select.select([slow], [], [], 0.2)[0]:
                    length, = struct.unpack(">I", slow.recv(4, socket.MSG_WAITALL))
                    reply = json.loads(slow.recv(length, socket.MSG_WAITALL))
                    break
                try:
                    slow.send(bytes([byte]))
                except (BrokenPipeError, ConnectionResetError):
                    break
            dropped_after = time.monotonic() - started
        assert dropped_after < 4
        assert reply == {"ok": False, "size": 0,
                         "error": "the check service dropped the request: the request did not arrive within 1.5 s"}
        out, err = waiting.communicate(timeout=60)
        assert waiting.returncode == 0, err
        assert json.loads(out)["sources"]
        assert "request dropped: the request did not arrive within 1.5 s" in quick.log.read_text()
    finally:
        quick.stop()
