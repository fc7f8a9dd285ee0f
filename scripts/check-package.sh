#!/usr/bin/env bash
# Checks what `npm pack` would publish (package.json at the root, files in
# www/): the built wasm and wasm_exec.js, every file of www/ that git
# tracks (webphone_api.js, the .d.ts, the config, the skins, sounds,
# examples), README.md, LICENSE and CHANGELOG.md; and that CHANGELOG.md has
# an entry for package.json's version. Run ./build.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -s www/webphone.wasm ]; then
	echo "check-package: www/webphone.wasm is missing: run ./build.sh" >&2
	exit 1
fi
packed=$(npm pack --dry-run --json --loglevel=error)
want=$( (printf '%s\n' www/webphone.wasm www/wasm_exec.js README.md LICENSE CHANGELOG.md package.json
	git ls-files www | grep -v '/\.gitignore$' | grep -v '^www/\.gitignore$') | sort -u)
PACKED="$packed" WANT="$want" node -e '
const pack = JSON.parse(process.env.PACKED)[0];
const have = new Map(pack.files.map((f) => [f.path, f.size]));
const missing = process.env.WANT.split("\n").filter((p) => p && !have.has(p));
if (missing.length) {
	console.error("check-package: npm pack leaves out: " + missing.join(" "));
	process.exit(1);
}
if (!(have.get("www/webphone.wasm") > 0)) {
	console.error("check-package: www/webphone.wasm is empty in the package");
	process.exit(1);
}
const fs = require("fs");
const version = JSON.parse(fs.readFileSync("package.json", "utf8")).version;
if (!fs.readFileSync("CHANGELOG.md", "utf8").split("\n").some((l) => l.startsWith("## " + version + " "))) {
	console.error("check-package: CHANGELOG.md has no \"## " + version + " \" entry for the package version");
	process.exit(1);
}
console.log("check-package: " + pack.name + "@" + pack.version + ", " + pack.files.length + " files, " +
	pack.size + " bytes packed");
'
