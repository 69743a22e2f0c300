"""The project's own accuracy check: labelled fixture sites over four checklist years."""

import io

from oitcheck.demo.evaluate import run_eval


def test_pass_precision_and_recall_on_labelled_sites():
    out = io.StringIO()
    code = run_eval_in_subprocess(out)
    text = out.getvalue()
    import json

    figures = json.loads(text.strip().splitlines()[-1])
    assert figures["tp"] + figures["fp"] + figures["fn"] + figures["tn"] >= 150
    assert figures["precision"] >= 0.95 and figures["recall"] >= 0.95, text
    assert code == 0


def run_eval_in_subprocess(out):
    # Twisted's reactor runs once per process: crawl in a child, as `oitcheck eval` does.
    from tests.conftest import run_oitcheck

    p = run_oitcheck("eval", timeout=900)
    out.write(p.stdout)
    return p.returncode


assert run_eval  # the command under test
