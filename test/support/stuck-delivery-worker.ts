/** A delivery thread stuck while starting: it never says it is ready and never answers `stop`. */
setInterval(() => undefined, 60_000);
