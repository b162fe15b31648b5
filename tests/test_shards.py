"""conftest.py's --shard I/N (a long run as N calls): N runs, each every N-th collected test, run the
suite's tests once each between them; a bad value stops pytest with a usage error (no GPU needed)."""
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent


def _collect(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                           "test_abi.py", "test_loader.py", *args], cwd=HERE, capture_output=True, text=True)


def _ids(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stdout.splitlines() if "::" in line]


def test_shards_split_the_suite_into_disjoint_parts_that_cover_it():
    whole = _ids(_collect())
    shards = [_ids(_collect("--shard", f"{i}/3")) for i in range(3)]
    assert len(whole) > 6 and all(shards)
    assert sorted(sum(shards, [])) == sorted(whole)
    assert [len(s) for s in shards] == [len(whole[i::3]) for i in range(3)]


def test_a_bad_shard_is_a_usage_error():
    for value in ("3/3", "x"):
        result = _collect("--shard", value)
        assert result.returncode == 4 and "--shard" in result.stderr, (value, result.stderr)
