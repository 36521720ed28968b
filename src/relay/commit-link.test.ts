import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commitOfRevision, commitUrl } from './commit-link.ts';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const SHA256 = 'a'.repeat(64);

test('Git revisions in every form Flux writes name their commit; other revisions name none', () => {
  const table: [string, string | undefined][] = [
    [`main@sha1:${SHA}`, SHA],
    [`refs/heads/main@sha1:${SHA}`, SHA],
    [`v1.2.3@sha1:${SHA}`, SHA],
    [`refs/pull/42/head@sha1:${SHA}`, SHA],
    [`sha1:${SHA}`, SHA],
    [`main@sha256:${SHA256}`, SHA256],
    [`main/${SHA}`, SHA],
    [`feature/x/${SHA}`, SHA],
    [SHA, SHA],
    ['6.5.0', undefined],
    ['6.5.0+0123abcd', undefined],
    [`main@sha1:${SHA.slice(0, 12)}`, undefined],
    ['main@sha1:0123abc', undefined],
    ['', undefined],
  ];
  for (const [revision, sha] of table) assert.equal(commitOfRevision(revision), sha, revision);
});

test('every forge and URL form links to the commit; credentials, ssh ports and .git never reach the link', () => {
  const rev = `main@sha1:${SHA}`;
  const table: [string, string | undefined][] = [
    ['https://github.com/stefanprodan/podinfo', `https://github.com/stefanprodan/podinfo/commit/${SHA}`],
    ['https://github.com/stefanprodan/podinfo.git', `https://github.com/stefanprodan/podinfo/commit/${SHA}`],
    ['https://x-access-token:ghp_secret@github.com/org/repo.git', `https://github.com/org/repo/commit/${SHA}`],
    ['ssh://git@github.com/org/repo.git', `https://github.com/org/repo/commit/${SHA}`],
    ['ssh://git@ssh.github.com:443/org/repo', `https://github.com/org/repo/commit/${SHA}`],
    ['git@github.com:org/repo.git', `https://github.com/org/repo/commit/${SHA}`],
    ['https://github.example.com/org/repo', `https://github.example.com/org/repo/commit/${SHA}`],
    ['https://gitlab.com/group/sub/repo.git', `https://gitlab.com/group/sub/repo/-/commit/${SHA}`],
    ['ssh://git@gitlab.example.com:2222/group/repo.git', `https://gitlab.example.com/group/repo/-/commit/${SHA}`],
    ['git@gitlab.com:group/repo.git', `https://gitlab.com/group/repo/-/commit/${SHA}`],
    ['https://gitlab.example.com:8443/group/repo', `https://gitlab.example.com:8443/group/repo/-/commit/${SHA}`],
    ['https://bitbucket.org/team/repo.git', `https://bitbucket.org/team/repo/commits/${SHA}`],
    ['https://user@bitbucket.org/team/repo.git', `https://bitbucket.org/team/repo/commits/${SHA}`],
    ['git@bitbucket.org:team/repo.git', `https://bitbucket.org/team/repo/commits/${SHA}`],
    ['ssh://git@bitbucket.org/team/repo.git', `https://bitbucket.org/team/repo/commits/${SHA}`],
    ['https://codeberg.org/org/repo.git', `https://codeberg.org/org/repo/commit/${SHA}`],
    ['ssh://git@codeberg.org/org/repo.git', `https://codeberg.org/org/repo/commit/${SHA}`],
    ['git@gitea.com:org/repo.git', `https://gitea.com/org/repo/commit/${SHA}`],
    ['https://gitea.example.com/org/repo', `https://gitea.example.com/org/repo/commit/${SHA}`],
    ['https://forgejo.example.com/org/repo', `https://forgejo.example.com/org/repo/commit/${SHA}`],
    ['https://dev.azure.com/org/project/_git/repo', `https://dev.azure.com/org/project/_git/repo/commit/${SHA}`],
    [
      'https://org@dev.azure.com/org/My%20Project/_git/repo',
      `https://dev.azure.com/org/My%20Project/_git/repo/commit/${SHA}`,
    ],
    ['ssh://git@ssh.dev.azure.com/v3/org/project/repo', `https://dev.azure.com/org/project/_git/repo/commit/${SHA}`],
    ['git@ssh.dev.azure.com:v3/org/project/repo', `https://dev.azure.com/org/project/_git/repo/commit/${SHA}`],
    ['org@vs-ssh.visualstudio.com:v3/org/project/repo', `https://dev.azure.com/org/project/_git/repo/commit/${SHA}`],
    ['https://org.visualstudio.com/project/_git/repo', `https://org.visualstudio.com/project/_git/repo/commit/${SHA}`],
    ['http://gitea.local:3000/org/repo', `http://gitea.local:3000/org/repo/commit/${SHA}`],
    // Unknown hosts, and what cannot be a repository on a known one.
    ['https://git.example.com/org/repo', undefined],
    ['ssh://git@192.168.1.10/org/repo', undefined],
    ['https://github.com/org', undefined],
    ['https://github.com/org/repo/../../evil', undefined],
    ['https://github.com/org/re|po', undefined],
    ['https://dev.azure.com/org/project/repo', undefined],
    ['ssh://git@ssh.dev.azure.com/v2/org/project/repo', undefined],
    ['file:///srv/git/repo', undefined],
    ['not a url', undefined],
  ];
  for (const [url, link] of table) assert.equal(commitUrl(rev, url), link, url);
});

test('OCI and Helm revisions, and short or missing commits, link to nothing', () => {
  for (const revision of ['6.5.0', '0.1.0+abc', 'latest', `main@sha1:${SHA.slice(0, 7)}`]) {
    assert.equal(commitUrl(revision, 'https://github.com/org/repo'), undefined, revision);
  }
});
