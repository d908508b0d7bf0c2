#!/usr/bin/env bash
# The guard with a config: overrides, allow entries that never silence other
# parts, production patterns, and a broken file (fail closed for risky commands,
# open for harmless ones).
. "$(dirname "$0")/lib.sh"
unset AWS_PROFILE KUBECONFIG TF_WORKSPACE
mkdir -p proj/.git && cd proj || exit 1
cat >.blastwall.yaml <<'YAML'
rules:
  git.reset-hard: allow
  "container.*": deny
allow:
  - "git clean -fdx build"
  - pattern: "git push --force origin feature-*"
production:
  kube_contexts: ["live-*"]
  aws_profiles: ["company-main"]
YAML
expect_exit 0 "config: override to allow" bw check 'git reset --hard'
expect_exit 3 "config: glob override to deny" bw check 'docker volume rm pgdata'
expect_exit 0 "config: exact allow entry" bw check 'git clean -fdx build'
expect_exit 1 "config: exact entry does not cover another command" bw check 'git clean -fdx'
expect_exit 0 "config: allow pattern" bw check 'git push --force origin feature-x'
expect_exit 3 "config: allowed part does not silence rm -rf /" bw check 'git clean -fdx build; rm -rf /'
expect_exit 1 "config: allowed part does not silence git push -f main" bw check 'git push --force origin feature-x && git push -f origin main'
expect_exit 3 "config: production kube context pattern" bw check 'kubectl --context live-eu delete ns web'
expect_exit 3 "config: production AWS profile" bw check 'aws --profile company-main s3 rb s3://b'
expect_exit 1 "config: a non-production profile asks" bw check 'aws --profile sandbox s3 rb s3://b'
bw check --json 'git reset --hard' >"$T/j"
expect_grep "$T/j" '"allowed_by_config": true' "config: --json says the config allowed it"
expect_grep "$T/j" '.blastwall.yaml' "config: --json lists the config file"

printf 'rules:\n  git.reset-hard: allow\n bad: [\n' >.blastwall.yaml
expect_exit 1 "broken config: risky command asks even though the config allowed it" bw check 'git reset --hard'
expect_grep "$T/out" 'blastwall.yaml' "broken config: the reason names the file"
expect_exit 0 "broken config: harmless command still passes" bw check 'ls'
expect_exit 3 "broken config: deny stays deny" bw check 'rm -rf /'
