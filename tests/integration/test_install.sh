# make install lays out bin/, lib/libhuibao.a, the headers, the configs and a
# pkg-config file; a stage built against it alone joins a pipeline.
. "$(dirname "$0")/lib.sh"

prefix=$TMP/prefix
make --no-print-directory -s install PREFIX="$prefix" BUILD="${BUILD:-build}" BIN="$BIN" >"$TMP/install.log" 2>&1
check "make install succeeds" [ $? -eq 0 ]
check "the headers are installed" [ -f "$prefix/include/huibao/hb_stage.h" ]
check "the configs are installed" [ -f "$prefix/share/huibao/configs/topics.conf" ]
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
# A sanitizer build installs an instrumented library: link the same way.
cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror ${HB_SAN_FLAGS:-} examples/stages/tag.c \
    $(pkg-config --cflags --libs huibao) -o "$TMP/hb-tag" 2>"$TMP/cc.err"
check "a custom stage builds with pkg-config --cflags --libs huibao" [ -x "$TMP/hb-tag" ]
# Both include forms find the installed header with pkg-config's flags alone.
for form in '<huibao/hb_stage.h>' '<hb_stage.h>'; do
    sed "s|^#include \"hb_stage.h\"|#include $form|" examples/stages/tag.c >"$TMP/tag-form.c"
    rm -f "$TMP/hb-tag-form"
    grep -qF "#include $form" "$TMP/tag-form.c" &&
        cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror ${HB_SAN_FLAGS:-} "$TMP/tag-form.c" \
            $(pkg-config --cflags --libs huibao) -o "$TMP/hb-tag-form" 2>>"$TMP/cc.err"
    check "a stage with #include $form builds against the installed tree" [ -x "$TMP/hb-tag-form" ]
done
printf '[stage split]\n[stage classify]\nworkers = 1\n[stage tag]\ncommand = %s\n' "$TMP/hb-tag" >"$TMP/p.conf"
(cd "$TMP" && "$prefix/bin/huibao" run -q -c "$TMP/p.conf" -o "$TMP/out" "$OLDPWD/tests/data/seeds" >/dev/null 2>&1)
check "the installed huibao runs it, with its installed configs" [ $? -eq 0 ]
check "every unit carries the stage's field" \
    [ "$(grep -c '"source":"huibao"' "$TMP/out/paragraphs.jsonl")" -eq 112 ]
# huibao train finds the installed train-topics.py and topics.conf (run from
# a folder without configs/): one unit labelled, its weights written.
head -1 "$TMP/out/paragraphs.jsonl" | sed 's/"topic":"[a-z_]*"/"topic":"general"/' >"$TMP/one.jsonl"
(cd "$TMP" && "$prefix/bin/huibao" train one.jsonl -o trained.conf 2>/dev/null)
check "the installed huibao train writes trained rules" grep -q '^\[topic general\]' "$TMP/trained.conf"
