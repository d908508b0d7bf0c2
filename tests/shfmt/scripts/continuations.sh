docker run \
	--rm \
	-v "$PWD:/w" \
	image:tag \
	sh -c 'echo hi'
git add -A && \
	git commit -m "msg" && \
	git push
echo one |
	tr a-z A-Z |
	sort
[ -f x ] &&
	rm x
arr=(
	one
	"two three"
	$(four)
)
echo "${arr[@]}"
