#!/usr/bin/env python3
"""mi-spark: run the mi-tools on Apache Spark, with the bytes one machine gives (issue 17, DESIGN.md §6).

The tools are not reimplemented: the same binaries run inside the Spark tasks. A streaming tool (mi-group,
mi-score) is a mapper over each partition; an aggregating tool (mi-clear prepay|settle, mi-capita prepay|settle,
mi-score derive) runs with --partial over each partition and once with --merge on the driver, over the partials of
every partition (mi-clear(1), PARTIAL FILES), so its output is the single-machine output byte for byte. An
audit (mi-audit run) reads two inputs, cases and fee lines, partitioned together by psn_no: only the rules whose
state is per record or per person may run so (mi-audit(1), PARTITIONING).

Usage:
  mi_spark.py --bin DIR --db FILE --out DIR [--master URL] [--partitions N]
              --input NAME=PATH ...
              [--map 'NAME=SOURCE: TOOL ARGS [| TOOL ARGS ...]'] ...
              [--aggregate 'FILE=SOURCE [by FIELD]: TOOL SUBCOMMAND ARGS [|| MERGE-ONLY ARGS]'] ...
              [--audit 'NAME=FEES with CASES by FIELD: mi-audit run ARGS'] ...

  --input  names an NDJSON path (a file, a directory or a glob; plain or .gz) read with textFile.
  --map    pipes SOURCE (an input or an earlier map) through the tools, in input order, and writes OUT/NAME/
           (part files in input order: `cat OUT/NAME/part-*` is the single-machine output).
  --aggregate runs the tool with --partial on every partition of SOURCE (re-partitioned by FIELD first when
           `by FIELD` is given, so that a person's records meet in one partition), keeps the partials in
           OUT/partials/FILE/part-NNNNN.ndjson, and runs the tool with --merge and the MERGE-ONLY ARGS (those
           that shape only the finished result: --adjustments, --draft-date, --prepaid, --post, --no-ledger;
           mi-report's --params, --previous, --format...) on the driver, writing OUT/FILE. SOURCE may be
           several names joined by '+' (`scored+opt`): their union, like the files given to one run.
  --audit  partitions FEES and CASES (inputs or maps) together by FIELD (the same stable hash as `by FIELD`, so a
           person's cases and fee lines meet in one partition), and runs `mi-audit run ARGS --cases
           CASES-part-NNNNN.ndjson --fees -` over every partition, each input in its order, writing OUT/NAME/
           (one part file of findings per partition). A run orders its findings by rule, key and input order;
           the parts do not interleave in that order, so `cat OUT/NAME/part-* | LC_ALL=C sort` equals the
           single-machine findings of the same rules sorted the same way. Give it only rules that are per record
           or per person (mi-audit(1), PARTITIONING): a per-institution rule would see part of an institution.

Maps run first, then aggregates and audits, each in the order given. The binaries and the workspace database are shipped to the executors with
SparkContext.addFile; the tools find the database through $MI_DB and open it read-only (they only read it
there: a partial is never posted), and the shipped copy is made mode 0400, so that a writing command (run as
another user than root) is refused rather than writing a copy nobody reads. The --merge runs on the driver use --bin and --db as given (a --post there writes the ledger).

A tool that fails in any partition fails its task, hence the job: the driver exits with the tool's exit status
and its message (named by partition: `cases-part-00003:17: field ...`). This is what RDD.pipe(checkCode=True)
does; the pipe here is written out because RDD.pipe fixes its command on the driver (the executors' file paths
are known only there) and gives the tool an empty environment, and because its feeding thread swallows an
error of an upstream step, so a failed mapper would hand its successor a short input and "succeed".

Example (local, two cores):
  python3 scripts/spark/mi_spark.py --master 'local[2]' --bin .build/release --db mi.db --out spark-out \\
    --input cases=cases.ndjson \\
    --map 'scored=cases: mi-group --dip dip-2024 | mi-score --params params-2024 --catalog dip-2024' \\
    --aggregate 'clearing-2024.ndjson=scored: mi-clear settle --year 2024 --params params-2024'

Exit status: 0 done; 2 bad usage; a failed tool's own status (1 bad data, 3 reference data, 4 input/output);
4 when Spark fails for another reason.
"""

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import threading
import time
import zlib

TOOLS = ("mi-group", "mi-score", "mi-clear", "mi-capita", "mi-audit", "mi-report")


class Usage(Exception):
    """A bad command line: exit status 2."""


def parse_commands(text, what):
    """Splits 'TOOL ARGS | TOOL ARGS' into argument lists, checking every tool is an mi-tool."""
    # A backslash before a line break inside the quoted step leaves a bare line break: not an argument.
    words = [w for w in shlex.split(text) if w.strip()]
    commands, current = [], []
    for w in words:
        if w == "|":
            commands.append(current)
            current = []
        else:
            current.append(w)
    commands.append(current)
    for c in commands:
        if not c or c[0] not in TOOLS:
            raise Usage(f"{what}: each command must start with one of {', '.join(TOOLS)}, found {c[:1] or 'nothing'}")
        for flag in ("--db", "-o", "--output", "--partial", "--merge", "--rejects", "--progress"):
            if flag in c:
                raise Usage(f"{what}: {flag} is set by mi-spark, not in the step ({' '.join(c)})")
    return commands


def parse_step(text, kind):
    """Parses a --map or --aggregate specification into a dict."""
    head, sep, body = text.partition(":")
    if not sep or "=" not in head:
        raise Usage(f"--{kind} '{text}': expected NAME=SOURCE: COMMAND")
    name, _, source = head.partition("=")
    name, source, field, cases = name.strip(), source.strip(), None, None
    if kind == "audit":
        m = re.fullmatch(r"(\S+)\s+with\s+(\S+)\s+by\s+(\S+)", source)
        if not m:
            raise Usage(f"--audit '{text}': expected NAME=FEES with CASES by FIELD: mi-audit run ARGS")
        source, cases, field = m.group(1), m.group(2), m.group(3)
        if not re.fullmatch(r"[A-Za-z0-9._-]+", cases):
            raise Usage(f"--audit '{text}': CASES is a plain name (letters, digits, '.', '_', '-')")
    m = re.fullmatch(r"(\S+)\s+by\s+(\S+)", source)
    if m and kind != "audit":
        source, field = m.group(1), m.group(2)
    if not re.fullmatch(r"[A-Za-z0-9._-]+", name) or not re.fullmatch(r"[A-Za-z0-9._-]+(\+[A-Za-z0-9._-]+)*", source):
        raise Usage(f"--{kind} '{text}': NAME and SOURCE are plain names (letters, digits, '.', '_', '-')")
    if "+" in source and kind != "aggregate":
        raise Usage(f"--{kind} '{text}': only --aggregate reads several sources (SOURCE+SOURCE)")
    merge_args = []
    if kind == "aggregate":
        body, _, merge_text = body.partition("||")
        merge_args = [w for w in shlex.split(merge_text) if w.strip()]
    commands = parse_commands(body, f"--{kind} {name}")
    if kind == "aggregate" and len(commands) != 1:
        raise Usage(f"--aggregate {name}: one aggregating command (map first, then aggregate the map)")
    if kind == "map" and field:
        raise Usage(f"--map {name}: 'by FIELD' belongs to --aggregate (a map keeps the input order)")
    if kind == "audit":
        c = commands[0]
        if len(commands) != 1 or c[:2] != ["mi-audit", "run"] or "--cases" in c or "--fees" in c:
            raise Usage(f"--audit {name}: one 'mi-audit run ARGS' without --cases and --fees (mi-spark gives them)")
    return {
        "kind": kind,
        "name": name,
        "source": source,
        "cases": cases,
        "field": field,
        "commands": commands,
        "merge": merge_args,
    }


# --- what runs on the executors -------------------------------------------------------------------------------


def shipped(name):
    """The local path of a file shipped with addFile, executable for a binary."""
    from pyspark import SparkFiles

    path = SparkFiles.get(name)
    if name in TOOLS and not os.access(path, os.X_OK):
        os.chmod(path, 0o755)
    return path


def run_chain(commands, lines, env, label, resolve):
    """Pipes `lines` (str, without newline) through the commands, connected as a shell pipeline, and yields the
    last command's output lines in order. When every line is out, raises if any command exited non-zero, or if
    reading `lines` itself failed (an upstream step): the task fails instead of passing on a short output."""
    procs, errs = [], []
    stdin = subprocess.PIPE
    for argv in commands:
        err = tempfile.TemporaryFile()
        full = [resolve(argv[0])] + argv[1:] + ["--assume-filename", label]
        p = subprocess.Popen(full, stdin=stdin, stdout=subprocess.PIPE, stderr=err, env=env)
        if procs:
            procs[-1].stdout.close()  # the next process holds it now; the first one sees EPIPE if it stops
        procs.append(p)
        errs.append(err)
        stdin = p.stdout
    failure = []

    def feed(out):
        try:
            for line in lines:
                out.write(line.encode("utf-8") + b"\n")
        except BrokenPipeError:
            pass  # the tool stopped reading: its exit status says why
        except BaseException as e:  # an upstream step failed: remembered and raised in the task
            failure.append(e)
        finally:
            try:
                out.close()
            except BrokenPipeError:
                pass

    feeder = threading.Thread(target=feed, args=(procs[0].stdin,), daemon=True)
    feeder.start()
    last = procs[-1].stdout
    for raw in iter(last.readline, b""):
        yield raw[:-1].decode("utf-8") if raw.endswith(b"\n") else raw.decode("utf-8")
    last.close()
    feeder.join()
    statuses = [p.wait() for p in procs]
    messages = []
    for argv, err in zip(commands, errs):
        err.seek(0)
        messages.append(err.read().decode("utf-8", "replace"))
        err.close()
    if failure:
        raise failure[0]
    for argv, status, message in zip(commands, statuses, messages):
        if status != 0:
            tail = "".join(message.splitlines(keepends=True)[-5:]).strip()
            # The markers let the driver find the tool's own message inside Spark's report of the failed task.
            raise RuntimeError(f"[mi-spark {status}] {label}: {argv[0]} exited with status {status}:\n{tail}\n[/mi-spark]")
    for message in messages:
        sys.stderr.write("".join(f"{label}: {m}\n" for m in message.splitlines()))


def mapper(commands, db_name, label):
    """The function of mapPartitionsWithIndex that runs the commands over one partition."""

    def run(index, lines):
        env = dict(os.environ)
        db = shipped(db_name)
        if os.stat(db).st_mode & 0o777 != 0o400:
            os.chmod(db, 0o400)  # the tools only read it here (Workspace.Access.read); a write would be lost
        env["MI_DB"] = db
        return run_chain(commands, lines, env, f"{label}-part-{index:05d}", shipped)

    return run


def auditor(argv, db_name, cases_label, fees_label):
    """The function of mapPartitionsWithIndex over the co-partitioned ((source, index, hash), line) records of an
    audit, sorted by key: the partition's cases first, in input order, are written to a file named like a part
    (its messages then name `CASES-part-NNNNN.ndjson:LINE`), and its fee lines, in input order, are piped in."""

    def run(index, records):
        import shutil

        env = dict(os.environ)
        db = shipped(db_name)
        if os.stat(db).st_mode & 0o777 != 0o400:
            os.chmod(db, 0o400)
        env["MI_DB"] = db
        tmp = tempfile.mkdtemp(prefix="mi-spark-audit-")
        try:
            cases_path = os.path.join(tmp, f"{cases_label}-part-{index:05d}.ndjson")
            first_fee = []
            with open(cases_path, "w", encoding="utf-8", newline="\n") as f:
                for key, line in records:
                    if key[0] != 0:
                        first_fee.append(line)
                        break
                    f.write(line + "\n")

            def fees():
                yield from first_fee
                for _, line in records:
                    yield line

            command = [argv + ["--cases", cases_path, "--fees", "-"]]
            yield from run_chain(command, fees(), env, f"{fees_label}-part-{index:05d}", shipped)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    return run


def key_partition(field):
    """The partition function of `by FIELD`: a stable hash (CRC-32) of the field's text, the same on every
    executor and every run (Python's own str hash is salted per process)."""

    def key(line):
        try:
            value = json.loads(line).get(field)
        except (ValueError, AttributeError):
            value = None  # the tool reports the bad record
        return "" if value is None else str(value)

    return key


# --- the driver -------------------------------------------------------------------------------------------------


def in_order(rdd, partitions):
    """`rdd` in at least `partitions` partitions, keeping the line order (a .gz file is one partition): lines are
    numbered and range-partitioned by number, never hashed."""
    if rdd.getNumPartitions() >= partitions:
        return rdd
    return rdd.zipWithIndex().map(lambda li: (li[1], li[0])).sortByKey(numPartitions=partitions).values()


def main(argv):
    ap = argparse.ArgumentParser(
        prog="mi_spark.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="See also README.md, 'At provincial scale'.",
    )
    ap.add_argument("--bin", required=True, help="directory of the mi-* binaries (shipped to the executors)")
    ap.add_argument("--db", required=True, help="the workspace database (shipped read-only; the merges use it)")
    ap.add_argument("--out", required=True, help="output directory (must not hold the outputs of the steps)")
    ap.add_argument("--master", help="Spark master (default: spark-submit's, else local[*])")
    ap.add_argument("--partitions", type=int, default=0, help="at least this many partitions per input")
    ap.add_argument("--input", action="append", default=[], metavar="NAME=PATH")
    ap.add_argument("--map", action="append", default=[], metavar="SPEC")
    ap.add_argument("--aggregate", action="append", default=[], metavar="SPEC")
    ap.add_argument("--audit", action="append", default=[], metavar="SPEC")
    args = ap.parse_args(argv)
    try:
        inputs = {}
        for spec in args.input:
            name, sep, path = spec.partition("=")
            if not sep or not name or not path:
                raise Usage(f"--input '{spec}': expected NAME=PATH")
            inputs[name] = path
        steps = [parse_step(s, "map") for s in args.map] + [parse_step(s, "aggregate") for s in args.aggregate]
        steps += [parse_step(s, "audit") for s in args.audit]
        # Maps first, then aggregates, each in the order given: an aggregate may read a map, never the reverse.
        known = set(inputs)
        for s in steps:
            for src in s["source"].split("+") + [s["cases"]]:
                if src is not None and src not in known:
                    raise Usage(f"--{s['kind']} {s['name']}: no input or earlier map named '{src}'")
            if s["kind"] == "map":
                known.add(s["name"])
        tools = sorted({c[0] for s in steps for c in s["commands"]})
        for t in tools:
            if not os.access(os.path.join(args.bin, t), os.X_OK):
                raise Usage(f"--bin {args.bin}: no executable {t}")
        if not os.path.isfile(args.db):
            raise Usage(f"--db {args.db}: no such file")
        for s in steps:
            target = os.path.join(args.out, s["name"])
            if os.path.exists(target):
                raise Usage(f"{target} exists: give a new --out, or remove it")
    except Usage as e:
        print(f"mi-spark: {e}", file=sys.stderr)
        return 2

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # the executors' Python is the driver's
    from pyspark import SparkConf, SparkContext
    from pyspark.storagelevel import StorageLevel

    conf = SparkConf().setAppName("mi-spark")
    if args.master:
        conf.setMaster(args.master)
    conf.setIfMissing("spark.master", "local[*]")
    conf.setIfMissing("spark.ui.enabled", "false")
    conf.setIfMissing("spark.ui.showConsoleProgress", "false")
    began = time.monotonic()
    sc = SparkContext(conf=conf)
    sc.setLogLevel("WARN")
    print(f"mi-spark: Spark {sc.version} up, master {sc.master} ({time.monotonic() - began:.1f} s)", file=sys.stderr)
    try:
        return run_steps(sc, args, inputs, steps, tools, StorageLevel.MEMORY_AND_DISK)
    except Exception as e:  # a failed task surfaces as a Py4J error carrying the executor's message
        text = str(e)
        m = re.search(r"\[mi-spark (\d+)\] ([^\n]*)\n(.*?)\n\[/mi-spark\]", text, re.S)
        if m:
            print(f"mi-spark: {m.group(2)}\n{m.group(3)}", file=sys.stderr)
            return int(m.group(1))
        print(f"mi-spark: the Spark job failed: {text.splitlines()[0] if text else type(e).__name__}", file=sys.stderr)
        return 4
    finally:
        sc.stop()


def audit_rdd(fees, cases, step, db_name, partitions, level):
    """The findings of `mi-audit run` over FEES and CASES partitioned together by the step's field: each record
    is keyed (0 for a case, 1 for a fee line; its number in its input; the field's CRC-32), placed by the hash and
    sorted by the rest, so that a partition holds its cases, then its fee lines, each in input order."""
    key = key_partition(step["field"])

    def keyed(rdd, source):
        return rdd.zipWithIndex().map(
            lambda li, key=key, source=source: ((source, li[1], zlib.crc32(key(li[0]).encode("utf-8"))), li[0])
        )

    both = keyed(cases, 0).union(keyed(fees, 1))
    placed = both.repartitionAndSortWithinPartitions(partitions, partitionFunc=lambda k: k[2])
    run = auditor(step["commands"][0], db_name, step["cases"], step["source"])
    return placed.mapPartitionsWithIndex(run).persist(level)


def run_steps(sc, args, inputs, steps, tools, level):
    """Ships the files, runs every step in order, and returns the exit status."""
    for t in tools:
        sc.addFile(os.path.abspath(os.path.join(args.bin, t)))
    sc.addFile(os.path.abspath(args.db))
    db_name = os.path.basename(args.db)
    partitions = args.partitions or sc.defaultParallelism
    rdds = {name: in_order(sc.textFile(path, minPartitions=partitions), partitions) for name, path in inputs.items()}
    os.makedirs(args.out, exist_ok=True)
    env = dict(os.environ, MI_DB=os.path.abspath(args.db))
    keyed = {}  # (source, field) -> the source partitioned by the field, shuffled once for every step that asks
    for s in steps:
        began = time.monotonic()
        # SOURCE+SOURCE (an aggregate over several inputs): their union, in the order named, like the files given
        # in that order to one run.
        names = s["source"].split("+")
        source = rdds[names[0]] if len(names) == 1 else sc.union([rdds[n] for n in names])
        if s["kind"] == "map":
            out = source.mapPartitionsWithIndex(mapper(s["commands"], db_name, s["source"]), preservesPartitioning=True)
            out.persist(level)
            # file:// even on a cluster whose default file system is HDFS: --out is a shared mount (README.md).
            out.saveAsTextFile("file://" + os.path.abspath(os.path.join(args.out, s["name"])))
            rdds[s["name"]] = out
            took = time.monotonic() - began
            print(f"mi-spark: {s['name']}: {out.getNumPartitions()} parts in {args.out}/{s['name']} ({took:.1f} s)", file=sys.stderr)
            continue
        if s["kind"] == "audit":
            out = audit_rdd(source, rdds[s["cases"]], s, db_name, partitions, level)
            out.saveAsTextFile("file://" + os.path.abspath(os.path.join(args.out, s["name"])))
            took = time.monotonic() - began
            print(f"mi-spark: {s['name']}: {out.getNumPartitions()} parts in {args.out}/{s['name']} ({took:.1f} s)", file=sys.stderr)
            continue
        if s["field"]:
            if (s["source"], s["field"]) not in keyed:
                key = key_partition(s["field"])
                keyed[(s["source"], s["field"])] = (
                    source.map(lambda line, key=key: (key(line), line))
                    .partitionBy(partitions, lambda k: zlib.crc32(k.encode("utf-8")))
                    .values()
                    .persist(level)
                )
            source = keyed[(s["source"], s["field"])]
        argv = s["commands"][0]
        partial = [argv + ["--partial"]]
        parts = source.mapPartitionsWithIndex(mapper(partial, db_name, s["source"]))
        tagged = parts.mapPartitionsWithIndex(lambda i, it: ((i, line) for line in it)).persist(level)
        tagged.count()  # every partition in parallel; the driver then fetches them one by one, bounded in memory
        pdir = os.path.join(args.out, "partials", s["name"])
        os.makedirs(pdir, exist_ok=True)
        files, current, handle = [], None, None
        for i, line in tagged.toLocalIterator():
            if i != current:
                if handle:
                    handle.close()
                current = i
                files.append(os.path.join(pdir, f"part-{i:05d}.ndjson"))
                handle = open(files[-1], "w", encoding="utf-8", newline="\n")
            handle.write(line + "\n")
        if handle:
            handle.close()
        tagged.unpersist()
        if not files:  # cannot happen (a partial starts with its header), and --merge of no file would read stdin
            print(f"mi-spark: {s['name']}: no partials were written", file=sys.stderr)
            return 4
        target = os.path.join(args.out, s["name"])
        merge = [os.path.join(args.bin, argv[0])] + argv[1:] + s["merge"] + ["--merge", "-o", target] + files
        status = subprocess.call(merge, env=env)
        if status != 0:
            print(f"mi-spark: {s['name']}: the merge exited with status {status}", file=sys.stderr)
            return status
        took = time.monotonic() - began
        print(f"mi-spark: {s['name']}: merged {len(files)} partials into {target} ({took:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
