/**
 * Commit links: a Git revision as Flux writes it, plus the Git URL of the source it came from,
 * becomes a link to the commit on the forge that hosts it. Pure; no I/O.
 *
 * Revisions, as source-controller writes a GitRepository artifact's revision (fluxcd/pkg
 * `git.Commit.String()`): `<ref>@sha1:<hex40>` (`main@sha1:…`, `refs/heads/main@sha1:…`,
 * `v1.2.3@sha1:…`), `sha1:<hex40>` when there is no named ref, `sha256:<hex64>` for SHA-256
 * repositories, and the pre-v1 forms `<branch>/<hex40>` and a bare `<hex40>`. A chart version
 * is not a commit. An OCI or Bucket digest (`latest@sha256:<digest>`) has the shape of a SHA-256
 * commit, so the caller links only revisions of sources with a Git URL (GitRepository); any
 * other revision is shown as it is.
 *
 * URLs: `https://[user@]host[:port]/path`, `ssh://[user@]host[:port]/path` and scp-like
 * `user@host:path`, with or without `.git`. Credentials in a URL never reach the link. Forges:
 * GitHub (github.com, `github.*` hosts, ssh.github.com), GitLab (gitlab.com, `gitlab.*` hosts),
 * Bitbucket Cloud (bitbucket.org), Gitea/Forgejo (codeberg.org, gitea.com, `gitea.*`/`forgejo.*`
 * hosts), Azure DevOps (dev.azure.com, ssh.dev.azure.com and vs-ssh.visualstudio.com
 * `v3/org/project/repo`, `<org>.visualstudio.com`). Any other host: no link (the revision stays plain text).
 */

/** The commit a revision names, or undefined when it is not a Git commit. */
export function commitOfRevision(revision: string): string | undefined {
  const r = revision.trim();
  const modern = /^(?:.+@)?(sha1:([0-9a-f]{40})|sha256:([0-9a-f]{64}))$/.exec(r);
  if (modern) return modern[2] ?? modern[3];
  return /^(?:[^@:\s]+\/)?([0-9a-f]{40})$/.exec(r)?.[1];
}

/** Where a Git URL points: the host, the web origin for it, and the repository path. */
interface Repo {
  readonly host: string;
  readonly web: string;
  readonly path: string;
}

function parseGitUrl(raw: string): Repo | undefined {
  const s = raw.trim();
  const scp = /^(?:[A-Za-z0-9._-]+@)?([A-Za-z0-9.-]+):(?!\/\/)(.+)$/.exec(s);
  if (scp && !/^[a-z+]+:\/\//i.test(s))
    return { host: scp[1]!.toLowerCase(), web: `https://${scp[1]!.toLowerCase()}`, path: scp[2]! };
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:' && u.protocol !== 'ssh:') return undefined;
  const host = u.hostname.toLowerCase();
  // An ssh port says nothing about the web server's.
  return {
    host,
    web: u.protocol === 'ssh:' ? `https://${host}` : `${u.protocol}//${host}${u.port ? `:${u.port}` : ''}`,
    path: u.pathname,
  };
}

/** The repository path without slashes at either end or `.git`, split; undefined if unsafe. */
function segments(path: string): string[] | undefined {
  const parts = path
    .replace(/^\/+|\/+$/g, '')
    .replace(/\.git$/, '')
    .split('/')
    .filter((p) => p !== '');
  return parts.length > 0 && parts.every((p) => /^[A-Za-z0-9._~%-]+$/.test(p) && p !== '..') ? parts : undefined;
}

/** The commit's web page, or undefined for an unknown host or a revision that is not a commit. */
export function commitUrl(revision: string, gitUrl: string): string | undefined {
  const sha = commitOfRevision(revision);
  const repo = parseGitUrl(gitUrl);
  if (!sha || !repo) return undefined;
  const parts = segments(repo.path);
  if (!parts) return undefined;
  const { host } = repo;
  const base = (p: string[]) => `${repo.web}/${p.join('/')}`;
  if (host === 'dev.azure.com' || host === 'ssh.dev.azure.com' || host.endsWith('.visualstudio.com'))
    return azureDevOps(repo, parts, sha);
  if (parts.length < 2) return undefined;
  if (host === 'github.com' || host === 'ssh.github.com' || host === 'www.github.com')
    return `https://github.com/${parts.join('/')}/commit/${sha}`;
  if (host.startsWith('github.')) return `${base(parts)}/commit/${sha}`;
  if (host === 'gitlab.com' || host.startsWith('gitlab.')) return `${base(parts)}/-/commit/${sha}`;
  if (host === 'bitbucket.org') return `https://bitbucket.org/${parts.join('/')}/commits/${sha}`;
  if (['codeberg.org', 'gitea.com'].includes(host) || host.startsWith('gitea.') || host.startsWith('forgejo.'))
    return `${base(parts)}/commit/${sha}`;
  return undefined;
}

/** Azure DevOps: `org/project/_git/repo` over https, `v3/org/project/repo` over ssh. */
function azureDevOps(repo: Repo, parts: string[], sha: string): string | undefined {
  if (repo.host === 'ssh.dev.azure.com' || repo.host === 'vs-ssh.visualstudio.com') {
    const [v3, org, project, repo] = parts;
    return v3 === 'v3' && org && project && repo && parts.length === 4
      ? `https://dev.azure.com/${org}/${project}/_git/${repo}/commit/${sha}`
      : undefined;
  }
  const at = parts.indexOf('_git');
  if (at < 1 || at !== parts.length - 2) return undefined;
  return `${repo.web}/${parts.join('/')}/commit/${sha}`;
}
