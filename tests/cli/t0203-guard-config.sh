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

# production from files the tools themselves use
rm -f .blastwall.yaml
mkdir -p "$T/kube" && printf 'apiVersion: v1\ncurrent-context: "prod-eu-1"\ncontexts: []\n' >"$T/kube/prod"
printf 'apiVersion: v1\ncurrent-context: dev\n' >"$T/kube/dev"
expect_exit 3 "prod: kubeconfig current-context" env KUBECONFIG="$T/kube/prod" "$BLASTWALL" check 'kubectl delete ns web'
expect_grep "$T/out" "kube context 'prod-eu-1'" "prod: the reason names the evidence"
expect_exit 1 "prod: a dev current-context asks" env KUBECONFIG="$T/kube/dev" "$BLASTWALL" check 'kubectl delete ns web'
expect_exit 1 "prod: --context beats the kubeconfig" env KUBECONFIG="$T/kube/prod" "$BLASTWALL" check 'kubectl --context dev delete ns web'
mkdir -p tf/.terraform && echo production >tf/.terraform/environment
expect_exit 3 "prod: .terraform/environment names the workspace" bw check 'terraform -chdir=tf state rm aws_db_instance.main'
expect_exit 1 "prod: the default workspace asks" bw check 'terraform state rm aws_db_instance.main'
expect_exit 3 "prod: cd into the workspace dir counts too" bw check 'cd tf && terraform state rm aws_db_instance.main'
expect_exit 3 "prod: AWS_PROFILE in the environment" env AWS_PROFILE=prod-admin "$BLASTWALL" check 'aws s3 rb s3://b'
