"""A stored query from the CLI loads only what it needs: neither networkx nor pydantic nor the importers."""

from __future__ import annotations

import json
import subprocess
import sys


def test_a_stored_query_loads_neither_networkx_nor_pydantic(shipped):
    script = (
        "import json, sys\n"
        "from click.testing import CliRunner\n"
        "import graph.cli\n"
        f"result = CliRunner().invoke(graph.cli.cli, ['--db', {str(shipped.db_dir)!r}, 'query', 'measures-hitting', '-p', 'entity=Tencent'])\n"
        "heavy = ('networkx', 'pydantic', 'matplotlib', 'bokeh', 'neo4j', 'graph.lists.editions', 'graph.dataset.validate')\n"
        "print(json.dumps({'exit': result.exit_code, 'output': result.output, 'loaded': [m for m in heavy if m in sys.modules]}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["exit"] == 0 and "eo-13943" in report["output"]
    assert report["loaded"] == []
