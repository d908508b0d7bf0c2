cat <<EOF | psql "$DB"
DELETE FROM users WHERE id = $(cat id.txt);
-- `whoami` was here
EOF
cat <<'EOF' > literal.txt
$(not run) `nor this`
EOF
cat <<-	"TAB"
	indented $(still literal)
	TAB
cat <<A <<B && echo both
first $(one)
A
second ${x:-$(two)}
B
x=$(cat <<EOF
inner $(three)
EOF
)
while read -r l; do echo "$l"; done <<EOF
$(four) \$(escaped)
EOF
ssh host bash -s <<'REMOTE'
rm -rf /var/tmp/cache
REMOTE
