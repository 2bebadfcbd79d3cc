# The deployment recipes, checked without a container engine or a cluster:
# deploy/*.yaml pass yamllint and the Kubernetes API schema (kubernetes-models,
# offline) and wire the workers to the core the way the programs bind and
# connect; the core Job's and the worker Job's own commands, run in network
# namespaces as their pods would, give a local run's results and all end
# with 0; docs/deploy.md names the options it must and uses only options the
# programs have; deploy/Containerfile builds and installs from the sources it
# copies, and its runtime packages provide every library the programs link.
. "$(dirname "$0")/lib.sh"

K8S=deploy/kubernetes.yaml
STORAGE=deploy/storage.yaml
MODELS=${HB_K8S_MODELS:-data/kubernetes-models}
DOC=docs/deploy.md
CF=deploy/Containerfile

for p in huibao-read huibao-split huibao-classify huibao-aggregate; do
    "$BIN/$p" --help >"$TMP/help-$p" 2>&1
done
"$BIN/huibao" run --help >"$TMP/help-run" 2>&1

# ---- docs/deploy.md ----
for w in "huibao keygen" "--listen" "--curve-key" "--curve-server" "--curve-allow" "kubectl apply -f deploy/kubernetes.yaml"; do
    check "docs/deploy.md mentions $w" grep -qF -- "$w" "$DOC"
done

# Every option given to a huibao program in the document's code blocks is one
# that program has (its --help lists it).
"$PY" - "$DOC" "$TMP" >"$TMP/docopts" 2>&1 <<'PYEOF'
import re, shlex, sys
doc, tmp = sys.argv[1], sys.argv[2]
helps = {}
for prog, f in (("huibao-read", "help-huibao-read"), ("huibao-split", "help-huibao-split"),
                ("huibao-classify", "help-huibao-classify"),
                ("huibao-aggregate", "help-huibao-aggregate"), ("huibao run", "help-run")):
    helps[prog] = set(re.findall(r"--[a-z0-9][a-z0-9-]*", open(f"{tmp}/{f}").read()))
lines, block, buf = [], False, ""
for raw in open(doc, encoding="utf-8"):
    s = raw.rstrip("\n")
    if s.lstrip().startswith("```"):
        block = not block
        continue
    if not block:
        continue
    if s.endswith("\\"):
        buf += s[:-1] + " "
        continue
    lines.append(buf + s)
    buf = ""
bad, used = [], 0
for line in lines:
    try:
        toks = shlex.split(line, comments=False)
    except ValueError:
        continue
    for i, t in enumerate(toks):
        base = t.rsplit("=", 1)[-1].rsplit("/", 1)[-1]
        prog = None
        if base in helps:
            prog = base
        elif base in ("huibao", "huibao:latest") and i + 1 < len(toks) and toks[i + 1] == "run":
            prog = "huibao run"
        if not prog:
            continue
        for u in toks[i + 1:]:
            if u in ("|", "&", ";", "&&", "||") or u.endswith(";"):
                break
            if u.startswith("--"):
                used += 1
                if u.split("=", 1)[0] not in helps[prog]:
                    bad.append(f"{prog} {u}: {line.strip()}")
for b in bad:
    print("unknown option:", b)
print("options-known", not bad and used > 20)
PYEOF
check "every option docs/deploy.md gives a huibao program is in its --help" \
    grep -q "^options-known True" "$TMP/docopts"
grep "^unknown option" "$TMP/docopts" >&2

# ---- deploy/Containerfile ----
# The runtime stage: everything after the last FROM.
# Continuation lines joined, comments dropped.
sed -e ':a' -e '/\\$/N; s/\\\n/ /; ta' "$CF" | grep -v '^ *#' >"$TMP/cf.joined"
awk -v out="$TMP/cf" '/^FROM /{n++} {print > (out ".stage" n)}' "$TMP/cf.joined"
last=$(ls "$TMP"/cf.stage* | sort -V | tail -n 1)
multi_stage_bookworm() {
    [ "$(grep -c '^FROM ' "$CF")" -ge 2 ] && ! grep -E '^FROM ' "$CF" | grep -qv 'debian:bookworm'
}
runtime_libs() {
    local p
    for p in libzmq5 libmsgpackc2 libpcre2-8-0 libuchardet0 libsqlite3-0; do
        grep -qw -- "$p" "$last" || { echo "runtime stage lacks $p" >&2; return 1; }
    done
}
non_root() {
    grep -qE '^USER +([1-9][0-9]*|[a-z_][a-z0-9_-]*)(:[^ ]+)? *$' "$last" &&
        ! grep -qE '^USER +(root|0)(:|$| )' "$last"
}
check "the Containerfile builds FROM debian:bookworm" grep -qE '^FROM debian:bookworm( |$)' "$CF"
check "it is a multi-stage build on Debian 12 only" multi_stage_bookworm
check "it runs make and make install PREFIX=/usr/local" \
    grep -qE '^RUN .*make -j2 && make install PREFIX=/usr/local' "$CF"
check "the runtime stage installs libzmq5 libmsgpackc2 libpcre2-8-0 libuchardet0 libsqlite3-0" runtime_libs
check "and no -dev package or compiler" not grep -qE -- '-dev\b|build-essential|install-deps' "$last"
check "it runs as a non-root user" non_root
check "its entrypoint is huibao" grep -qE '^ENTRYPOINT \["huibao"\]' "$last"

# The build stage's COPY lines, replayed into an empty folder: the sources
# they bring in must build and install with the Containerfile's commands.
src=$TMP/ctx
mkdir -p "$src"
copied=0
while read -r from to; do
    case $to in /*) continue ;; esac
    cp -r "$from" "$src/$to" || copied=1
done < <(awk '/^FROM /{n++} n==1 && /^COPY / && !/--from/ {print $2, $3}' "$TMP/cf.joined")
nomake() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u BUILD -u BIN -u SAN -u OPT -u CFLAGS -u LDFLAGS make "$@"; }
(cd "$src" && nomake -s -j2 && nomake -s install PREFIX=/usr/local DESTDIR="$TMP/root") >"$TMP/cf-build.log" 2>&1
built=$?
[ $built -eq 0 ] || tail -n 20 "$TMP/cf-build.log" >&2
check "the sources the Containerfile copies build and install" [ $((copied + built)) -eq 0 ]
installed() {
    local f bad=0
    [ $built -eq 0 ] || return 1
    for f in $(awk '/^COPY --from=/{for (i = 3; i < NF; i++) print $i}' "$last"); do
        [ -e "$TMP/root$f" ] || { echo "not installed: $f" >&2; bad=1; }
    done
    return $bad
}
check "everything the runtime stage copies from the build is installed" installed

# Every shared library the installed programs link directly comes from a
# runtime package the Containerfile installs, or from libc6.
if command -v dpkg-query >/dev/null && command -v readelf >/dev/null && [ $built -eq 0 ]; then
    allowed=" libc6 $(grep -oE 'lib[a-z0-9.-]+[0-9]\b' "$last" | sort -u | tr '\n' ' ') "
    libsok=1
    for bin in "$TMP"/root/usr/local/bin/huibao*; do
        for lib in $(readelf -d "$bin" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
            pkgs=$(dpkg -S "*/$lib" 2>/dev/null | sed 's/[:,].*//' | sort -u)
            ok=0
            for p in $pkgs; do case $allowed in *" $p "*) ok=1 ;; esac; done
            [ $ok -eq 1 ] || { echo "$(basename "$bin") needs $lib (from: ${pkgs:-?}), not a runtime package" >&2; libsok=0; }
        done
    done
    check "the runtime packages provide every library the programs link" [ $libsok -eq 1 ]
else
    skip "runtime libraries of the image" "dpkg-query or readelf missing, or the build failed: NOT checked"
fi

# ---- deploy/kubernetes.yaml ----
if ! "$PY" -c 'import yaml' 2>/dev/null; then
    skip "deploy/kubernetes.yaml" "python3-yaml is not installed (add it to tools/install-deps.sh): the manifest is NOT checked"
    exit 0
fi
"$PY" - "$K8S" "$TMP" "$DOC" "$STORAGE" >"$TMP/k8s" 2>&1 <<'PYEOF'
import json, re, sys, yaml
path, tmp, doc, storage = sys.argv[1:5]
out = {}
def result(name, ok, why=""):
    out[name] = bool(ok)
    if not ok and why:
        print("  why", name + ":", why)
try:
    docs = [d for f in (storage, path) for d in yaml.safe_load_all(open(f, encoding="utf-8"))
            if d is not None]
    result("parses", len(docs) >= 7, "fewer than 7 documents")
except yaml.YAMLError as e:
    print("  why parses:", e)
    docs = []
    result("parses", False)

API = {"Namespace": "v1", "PersistentVolumeClaim": "v1", "Service": "v1", "Secret": "v1",
       "ConfigMap": "v1", "Pod": "v1", "Deployment": "apps/v1", "StatefulSet": "apps/v1",
       "Job": "batch/v1", "NetworkPolicy": "networking.k8s.io/v1"}
named = all(isinstance(d, dict) and d.get("apiVersion") and d.get("kind")
            and isinstance(d.get("metadata"), dict) and d["metadata"].get("name") for d in docs)
result("named", docs and named, "a document lacks apiVersion, kind or metadata.name")
wrong = [f'{d.get("kind")} {d.get("apiVersion")}' for d in docs if API.get(d.get("kind")) != d.get("apiVersion")]
result("apiversions", docs and not wrong, ", ".join(wrong))

def find(kind, name=None):
    return [d for d in docs if d.get("kind") == kind and (name is None or d["metadata"]["name"] == name)]
nsdoc = find("Namespace", "huibao")
outside = [d["metadata"]["name"] for d in docs if d.get("kind") != "Namespace"
           and d["metadata"].get("namespace") != "huibao"]
result("namespace", nsdoc and not outside, "not in namespace huibao: " + ", ".join(outside))

def pod_spec(d):
    if d.get("kind") == "Pod":
        return d.get("spec") or {}
    return ((d.get("spec") or {}).get("template") or {}).get("spec") or {}
def pod_labels(d):
    return (((d.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("labels") or {}
def containers(spec):
    return (spec.get("initContainers") or []) + (spec.get("containers") or [])
workloads = [d for d in docs if d.get("kind") in ("Deployment", "Job", "StatefulSet", "Pod")]

svc = find("Service", "huibao-core")
svc = svc[0] if svc else {}
sports = {p.get("port"): p.get("targetPort", p.get("port")) for p in (svc.get("spec") or {}).get("ports") or []}
result("service", sports.get(5555) and sports.get(5556), "Service huibao-core must expose 5555 and 5556")
dns = "huibao-core.huibao.svc.cluster.local"

# The core: the workload whose pods the Service selects.
sel = (svc.get("spec") or {}).get("selector") or {}
cores = [d for d in workloads if sel and all(pod_labels(d).get(k) == v for k, v in sel.items())]
result("selects-core", len(cores) == 1, "the Service must select exactly one workload's pods")
core = cores[0] if cores else {}
cspec = pod_spec(core)
result("core-ends", core.get("kind") == "Job" and cspec.get("restartPolicy") in ("Never", "OnFailure"),
       "the core's run ends: it must be a Job (restartPolicy Never or OnFailure)")

def opt(args, name):
    for i, a in enumerate(args):
        if a == name and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(name + "="):
            return a.split("=", 1)[1]
    return None
# What the core binds: '@tcp://…:PORT' endpoints, or run --listen HOST:PORT
# (split's output on PORT, the aggregator's input on PORT+1).
split_port = agg_port = None
bound = set()
for c in cspec.get("containers") or []:
    args = [str(a) for a in (c.get("command") or []) + (c.get("args") or [])]
    lst = opt(args, "--listen")
    if lst and re.fullmatch(r"[^:]+:\d+", lst):
        split_port = int(lst.rsplit(":", 1)[1])
        agg_port = split_port + 1
        bound |= {split_port, agg_port}
    for a in args:
        for ep in a.split(","):
            m = re.fullmatch(r"@tcp://[^:]+:(\d+)", ep)
            if m:
                bound.add(int(m.group(1)))
    if "huibao-split" in " ".join(args):
        m = re.search(r"@tcp://[^:]+:(\d+)", opt(args, "--out") or "")
        split_port = int(m.group(1)) if m else split_port
    if "huibao-aggregate" in " ".join(args):
        m = re.search(r"@tcp://[^:]+:(\d+)", opt(args, "--in") or "")
        agg_port = int(m.group(1)) if m else agg_port
declared = {p.get("containerPort") for c in cspec.get("containers") or [] for p in c.get("ports") or []}
result("core-binds", split_port and agg_port and set(sports.values()) <= bound
       and set(sports.values()) <= declared,
       f"the core binds {sorted(bound)} and declares {sorted(declared)}; the Service targets {sorted(sports.values())}")

cl = find("Job", "huibao-classify")
cl = cl[0] if cl else {}
result("classify-job", ((cl.get("spec") or {}).get("parallelism") or 0) >= 2
       and pod_spec(cl).get("restartPolicy") in ("Never", "OnFailure") and not find("Deployment"),
       "the workers must be a Job huibao-classify with parallelism >= 2, and no Deployment")
wk = (pod_spec(cl).get("containers") or [{}])[0]
wargs = [str(a) for a in (wk.get("command") or []) + (wk.get("args") or [])]
def target(ep):
    m = re.fullmatch(r">tcp://([^:]+):(\d+)", ep or "")
    return (m.group(1), sports.get(int(m.group(2)))) if m else (None, None)
result("classify-connects", "huibao-classify" in wargs
       and target(opt(wargs, "--in")) == (dns, split_port)
       and target(opt(wargs, "--out")) == (dns, agg_port),
       f"--in must be '>tcp://{dns}:<port to split>', --out the aggregator's; got {opt(wargs, '--in')} {opt(wargs, '--out')}")

def helpopts(f):
    return set(re.findall(r"--[a-z0-9][a-z0-9-]*", open(f"{tmp}/{f}").read()))
unknown = [a for a in wargs if a.startswith("--") and a.split("=")[0] not in helpopts("help-huibao-classify")]
for c in cspec.get("containers") or []:
    args = [str(a) for a in (c.get("command") or []) + (c.get("args") or [])]
    if args[:1] == ["run"]:
        unknown += [a for a in args if a.startswith("--") and a.split("=")[0] not in helpopts("help-run")]
result("options-known", not unknown, "not in the programs' --help: " + " ".join(unknown))

# Volumes: every mount names a volume of its pod; every claim is declared here.
pvcs = {d["metadata"]["name"] for d in find("PersistentVolumeClaim")}
badm, badc = [], []
for d in workloads:
    spec = pod_spec(d)
    vols = {v.get("name"): v for v in spec.get("volumes") or []}
    for c in containers(spec):
        badm += [f'{d["metadata"]["name"]}/{c.get("name")}: {m.get("name")}' for m in c.get("volumeMounts") or []
                 if m.get("name") not in vols]
    badc += [v["persistentVolumeClaim"].get("claimName") for v in vols.values()
             if "persistentVolumeClaim" in v and v["persistentVolumeClaim"].get("claimName") not in pvcs]
result("mounts", workloads and not badm, "mounts of undeclared volumes: " + ", ".join(badm))
result("claims", not badc, "claims not declared in the file: " + ", ".join(map(str, badc)))
def mounts_of(spec, claim):
    names = {v["name"] for v in spec.get("volumes") or [] if (v.get("persistentVolumeClaim") or {}).get("claimName") == claim}
    return [m for c in spec.get("containers") or [] for m in c.get("volumeMounts") or [] if m.get("name") in names]
result("core-volumes", mounts_of(cspec, "huibao-input") and
       any(not m.get("readOnly") for m in mounts_of(cspec, "huibao-output")),
       "the core must mount huibao-input and, writable, huibao-output")

# CURVE: the files named by --curve-* are in mounted Secret volumes, and the
# Secret's keys are the ones docs/deploy.md creates.
doctext = open(doc, encoding="utf-8").read()
def secret_files(spec, c):
    vols = {v["name"]: v["secret"] for v in spec.get("volumes") or [] if "secret" in v}
    files = {}
    for m in c.get("volumeMounts") or []:
        s = vols.get(m.get("name"))
        if s is not None:
            for it in s.get("items") or []:
                files[m["mountPath"].rstrip("/") + "/" + it["path"]] = (s.get("secretName"), it["key"])
    return files
keyprob = []
for d, c, need in ((core, (cspec.get("containers") or [{}])[0], ("--curve-key", "--curve-allow")),
                   (cl, wk, ("--curve-key", "--curve-server"))):
    args = [str(a) for a in (c.get("command") or []) + (c.get("args") or [])]
    files = secret_files(pod_spec(d), c)
    for o in need:
        f = opt(args, o)
        if f not in files:
            keyprob.append(f'{d.get("metadata", {}).get("name")} {o} {f}: not a mounted Secret item')
        elif "--from-file=" + files[f][1] not in doctext:
            keyprob.append(f"docs/deploy.md never creates Secret key {files[f][1]} (--from-file={files[f][1]})")
result("curve", not keyprob, "; ".join(keyprob))

result("classify-ends", "--exit-at-end" in wargs,
       "the workers must exit when the run is complete (--exit-at-end)")
jobs = find("Job")
late = [d["metadata"]["name"] for d in jobs
        if not isinstance((d.get("spec") or {}).get("activeDeadlineSeconds"), int)
        or d["spec"]["activeDeadlineSeconds"] <= 0]
result("deadlines", len(jobs) >= 2 and not late, "no activeDeadlineSeconds: " + ", ".join(late))
# Files in and out: a pod of the manifests mounts both claims (kubectl cp goes
# through it), and the core pod waits for no hand-made copy (no init container).
pods = find("Pod")
files = pods[0] if pods else {}
fspec = pod_spec(files)
result("files-pod", len(pods) == 1 and mounts_of(fspec, "huibao-input")
       and any(not m.get("readOnly") for m in mounts_of(fspec, "huibao-input"))
       and mounts_of(fspec, "huibao-output") and not cspec.get("initContainers"),
       "deploy/storage.yaml must hold one Pod mounting huibao-input (writable) and "
       "huibao-output; the core Job no init container")
result("docs-cp", f"kubectl -n huibao cp reports {files.get('metadata', {}).get('name')}:" in doctext
       and f"kubectl -n huibao cp {files.get('metadata', {}).get('name')}:" in doctext
       and "exec -i" not in doctext and "kubectl apply -f deploy/storage.yaml" in doctext,
       "docs/deploy.md must copy in and out with kubectl cp through the files pod, "
       "with no kubectl exec tar")

# What the pods run, for the run in network namespaces below: each
# container's command (or the image's ENTRYPOINT huibao) and args, with the
# paths its mounts provide mapped to folders of the test (/usr/local: the
# installed tree), and the Secret items it mounts.
def mounted(spec, c, d):
    vols = {v["name"]: v for v in spec.get("volumes") or []}
    table, secrets = [], []
    for m in c.get("volumeMounts") or []:
        v = vols.get(m.get("name")) or {}
        if "persistentVolumeClaim" in v:
            host = f'{tmp}/pvc/{v["persistentVolumeClaim"]["claimName"]}'
        elif "secret" in v:
            host = f'{tmp}/secret/{d["metadata"]["name"]}/{m["name"]}'
            secrets += [(host + "/" + it["path"], it["key"]) for it in v["secret"].get("items") or []]
        else:
            host = f'{tmp}/empty/{d["metadata"]["name"]}/{m["name"]}'
        table.append((m["mountPath"].rstrip("/"), host))
    table.append(("/usr/local", tmp + "/prefix"))
    return table, secrets
def remap(arg, table):
    for mp, host in table:
        if arg == mp or arg.startswith(mp + "/"):
            return host + arg[len(mp):]
    return arg
plan = {}
for role, d, c in (("core", core, (cspec.get("containers") or [{}])[0]), ("worker", cl, wk),
                   ("files", files, (fspec.get("containers") or [{}])[0])):
    table, secrets = mounted(pod_spec(d), c, d)
    argv = [str(a) for a in (c.get("command") or ["huibao"]) + (c.get("args") or [])]
    prog = tmp + "/prefix/bin/" + argv[0] if "/" not in argv[0] else remap(argv[0], table)
    plan[role] = {"argv": [prog] + [remap(a, table) for a in argv[1:]], "secrets": secrets,
                  "reports": remap("/data/in/reports", table)}
json.dump(plan, open(tmp + "/plan.json", "w"))

images = {c.get("image") for d in workloads for c in containers(pod_spec(d))}
result("images", images == {"huibao:latest"}, "images: " + ", ".join(map(str, images)))

for k, v in out.items():
    print(k, v)
PYEOF
k8s() { grep -q "^$1 True" "$TMP/k8s"; }
check "deploy/kubernetes.yaml parses as YAML documents" k8s parses
check "every document has apiVersion, kind and metadata.name" k8s named
check "every kind has its API version (v1, apps/v1, batch/v1)" k8s apiversions
check "everything is in the namespace huibao, which is declared" k8s namespace
check "the Service huibao-core exposes 5555 and 5556" k8s service
check "the Service selects the core's pods, and only those" k8s selects-core
check "the core is a Job: its run ends and is not restarted forever" k8s core-ends
check "the core binds ('@' or --listen) the ports the Service targets" k8s core-binds
check "the workers are a Job (parallelism >= 2), not a Deployment" k8s classify-job
check "the workers exit when the run is complete (--exit-at-end)" k8s classify-ends
check "both Jobs have activeDeadlineSeconds" k8s deadlines
check "files go in and out through a pod of deploy/storage.yaml that mounts both claims" k8s files-pod
check "docs/deploy.md copies files with kubectl cp through it, no kubectl exec tar" k8s docs-cp
check "classify connects ('>') by the Service's DNS name: --in to split, --out to aggregate" k8s classify-connects
check "every option in the manifest is in the program's --help" k8s options-known
check "every volume mount names a declared volume" k8s mounts
check "every claim names a PersistentVolumeClaim of the file" k8s claims
check "the core mounts the input, and the output writable" k8s core-volumes
check "the CURVE key files are mounted Secret items that docs/deploy.md creates" k8s curve
check "every image is huibao:latest" k8s images
# What failed and why, and anything the checker printed besides its verdicts.
grep '^  why' "$TMP/k8s" >&2 || true
grep -vE '^  why|^[a-z-]+ (True|False)$' "$TMP/k8s" >&2 || true

# ---- the Kubernetes API schema, offline ----
if command -v yamllint >/dev/null; then
    check "deploy/*.yaml pass yamllint" yamllint -s -c deploy/.yamllint deploy/*.yaml
else
    skip "yamllint" "yamllint is not installed (tools/install-deps.sh): NOT checked"
fi
if command -v node >/dev/null && [ -d "$MODELS/node_modules/kubernetes-models" ]; then
    node tools/manifest-check/check.mjs "$MODELS" deploy/*.yaml >"$TMP/models" 2>&1
    check "every object of deploy/*.yaml is valid for the Kubernetes API (kubernetes-models)" \
        [ $? -eq 0 -a "$(grep -c '^ok ' "$TMP/models")" -ge 7 ]
    grep -v '^ok ' "$TMP/models" >&2
    # The validator itself: a Job with a wrong type is refused.
    sed 's/activeDeadlineSeconds: [0-9]*/activeDeadlineSeconds: soon/' "$K8S" >"$TMP/bad.yaml"
    check "and a Job with a mistyped field is not" \
        not node tools/manifest-check/check.mjs "$MODELS" "$TMP/bad.yaml" >/dev/null
else
    skip "Kubernetes API schema" "node or $MODELS missing (run tools/install-deps.sh): NOT checked"
fi

# ---- the Jobs' own commands, in network namespaces as their pods ----
# The core pod and two worker pods, each its own host on a bridge-less veth
# link; the Service's DNS name resolves to the core in the workers' hosts
# (/etc/netns/NS/hosts, which ip netns exec puts in place of /etc/hosts).
# The reports go where the files pod puts them, the Secret items are made
# with huibao keygen, /usr/local is the installed tree.
if [ ! -f "$TMP/plan.json" ]; then
    exit 0
fi
a=hbKa$$ b=hbKb$$ c=hbKc$$
if ! ip netns add "$a" 2>/dev/null; then
    skip "the Jobs' commands" "cannot create network namespaces here (needs root and iproute2): NOT run"
    exit 0
fi
cleanup_netns() {
    for ns in "$a" "$b" "$c"; do ip netns del "$ns" 2>/dev/null; rm -rf "/etc/netns/$ns"; done
}
trap 'jobs -p | xargs -r kill -9 2>/dev/null; cleanup_netns; rm -rf "$TMP"' EXIT
ip netns add "$b" && ip netns add "$c"
for ns in "$a" "$b" "$c"; do ip -n "$ns" link set lo up; done
link() { # link NS_A ADDR_A NS_B ADDR_B NAME
    ip link add "$5a" type veth peer name "$5b"
    ip link set "$5a" netns "$1" && ip link set "$5b" netns "$3"
    ip -n "$1" addr add "$2/24" dev "$5a" && ip -n "$3" addr add "$4/24" dev "$5b"
    ip -n "$1" link set "$5a" up && ip -n "$3" link set "$5b" up
}
link "$a" 10.89.1.1 "$b" 10.89.1.2 "hk1$$" && link "$a" 10.89.2.1 "$c" 10.89.2.2 "hk2$$"
for ns in "$b" "$c"; do
    mkdir -p "/etc/netns/$ns"
    ip=$(ip -n "$ns" -4 -o addr show | awk '$2 != "lo" {sub(/[0-9]+\/24/, "1", $4); print $4}')
    printf '127.0.0.1 localhost\n%s huibao-core.huibao.svc.cluster.local\n' "$ip" >"/etc/netns/$ns/hosts"
done

make --no-print-directory -s install PREFIX="$TMP/prefix" BUILD="${BUILD:-build}" BIN="$BIN" >"$TMP/install.log" 2>&1
keys=$TMP/keys
mkdir -p "$keys" && (cd "$keys" && "$BIN/huibao" keygen core >/dev/null && "$BIN/huibao" keygen worker >/dev/null &&
    cp worker.pub workers.pub)
plan() { "$PY" -c 'import json, sys; v = json.load(open(sys.argv[1]))[sys.argv[2]][sys.argv[3]]
for x in [v] if isinstance(v, str) else v: print("\t".join(x) if isinstance(x, list) else x)' \
    "$TMP/plan.json" "$@"; }
for role in core worker; do
    plan "$role" secrets | while IFS=$'\t' read -r file key; do
        mkdir -p "$(dirname "$file")" && cp "$keys/$key" "$file"
    done
done
reports=$(plan files reports)
mkdir -p "$reports" "$TMP/pvc/huibao-output"
seed_corpus "$reports" 16  # enough documents that both workers, connecting at their own pace, get some
mapfile -t core < <(plan core argv)
mapfile -t worker < <(plan worker argv)
# The image's working folder holds configs -> the installed rules.
mkdir -p "$TMP/home" && ln -s "$TMP/prefix/share/huibao/configs" "$TMP/home/configs"
(cd "$TMP/home" && exec ip netns exec "$b" "${worker[@]}") 2>"$TMP/wb.err" &
wb=$!
(cd "$TMP/home" && exec ip netns exec "$c" "${worker[@]}") 2>"$TMP/wc.err" &
wc_=$!
# The core only once both workers are up and trying to connect (every 0.1 s):
# both join as it starts, neither can do the whole run before the other.
wait_for 120 grep -q "started: in" "$TMP/wb.err"
wait_for 120 grep -q "started: in" "$TMP/wc.err"
(cd "$TMP/home" && ip netns exec "$a" "${core[@]}") >"$TMP/core.out" 2>"$TMP/core.err"
rc=$?; check "the core Job's command completes the run with 0" [ $rc -eq 0 ]; [ $rc -eq 0 ] || tail -n 5 "$TMP/core.err" >&2
"$BIN/huibao" run -q -o "$TMP/local" "$reports" >/dev/null 2>&1
check "its results equal a local run's" \
    cmp -s <(sorted_units "$TMP/local/paragraphs.jsonl") <(sorted_units "$TMP/pvc/huibao-output/paragraphs.jsonl")
check "and towns.csv too" cmp -s "$TMP/local/towns.csv" "$TMP/pvc/huibao-output/towns.csv"
# The workers end by themselves; a guard (not a measure) keeps a worker that
# never ends from holding the test.
ended() {
    local i
    for i in $(seq 1 300); do
        kill -0 "$1" 2>/dev/null || { wait "$1"; return $?; }
        sleep 0.1
    done
    echo "worker $1 still running 30 s after the run" >&2
    return 1
}
ended $wb; sb=$?
ended $wc_; sc=$?
check "both workers exit 0 when the run is complete, so their Job completes" [ "$sb" -eq 0 -a "$sc" -eq 0 ] ||
    tail -n 3 "$TMP/wb.err" "$TMP/wc.err" >&2
worked() { grep -Eq "stopping: [1-9][0-9]* messages in" "$1"; }
check "both workers did work" worked "$TMP/wb.err" && worked "$TMP/wc.err"
