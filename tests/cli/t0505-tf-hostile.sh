#!/usr/bin/env bash
# t0505: hostile and damaged input never crashes the readers: truncated
# plans and states, deep nesting, huge strings, random bytes, a zip whose
# directory lies. Each must end with exit 3 (or a normal report) and a message.
. "$(dirname "$0")/lib.sh"

cat >p.json <<'J'
{"format_version":"1.2","resource_changes":[{"address":"aws_db_instance.d","mode":"managed","type":"aws_db_instance",
"name":"d","change":{"actions":["delete"],"before":{"deletion_protection":false,"tags":{"a":"\u00e9\ud83d\ude00"},
"nested":[[{"x":[1,2,{"y":null}]}]]}}}],"prior_state":{"values":{"root_module":{"resources":[]}}}}
J
size=$(wc -c <p.json)
crashes=0 silent=0
for cut in $(seq 1 7 "$((size - 1))"); do
	head -c "$cut" p.json >cut.json
	bw plan cut.json >/dev/null 2>err.txt
	rc=$?
	[ $rc -ge 128 ] && crashes=$((crashes + 1))
	[ $rc -eq 3 ] && ! grep -q "blastwall: " err.txt && silent=$((silent + 1))
done
[ $crashes -eq 0 ] && pass "truncated plans never crash" || fail "$crashes truncated plans crashed"
[ $silent -eq 0 ] && pass "every refusal has a message" || fail "$silent refusals without a message"

deep() { printf '{"format_version":"1.2","resource_changes":[{"address":"a.b","mode":"managed","type":"aws_s3_bucket","name":"b","change":{"actions":["delete"],"before":'
	printf '%*s' "$1" '' | tr ' ' '['; printf '%*s' "$1" '' | tr ' ' ']'; printf '}}]}'; }
deep 200 >deep-ok.json
expect_exit 1 "nesting within the limit reads" bw plan deep-ok.json
deep 100000 >deep.json
expect_exit 3 "100000-deep nesting is refused" bw plan deep.json
expect_grep "$T/err" "nesting deeper than" "says why"

{ printf '{"version":4,"serial":1,"lineage":"'; head -c 20000000 /dev/zero | tr '\0' 'a'; printf '","resources":[]}'; } >huge.tfstate
expect_exit 0 "a 20 MB string is read" bw posture huge.tfstate
printf '{"version":4,"serial":99999999999999999999999,"resources":[]}' >bigserial.tfstate
expect_exit 3 "a serial beyond 64 bits is refused" bw posture bigserial.tfstate
expect_grep "$T/err" "serial" "names the serial"
head -c 4096 /dev/urandom >random.bin
expect_exit 3 "random bytes" bw plan random.bin
printf '{"format_version":"1.2","resource_changes":[{"address":"a\0b"}]}' >nul.json
expect_exit 3 "a NUL byte inside a string" bw plan nul.json
printf '\xff\xfe{\0"\0' >odd16.json
expect_exit 3 "truncated UTF-16" bw plan odd16.json
# a zip whose central directory points past the end of the file
printf 'PK\003\004xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxPK\005\006\0\0\0\0\001\0\001\0\377\377\0\0\377\377\377\0\0\0' >lying.tfplan
expect_exit 3 "a zip with a lying directory" bw plan lying.tfplan
expect_grep "$T/err" "damaged plan file" "says it is damaged"
