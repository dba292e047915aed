#!/usr/bin/env bash
# One command from a clone to `selfinterp` on the PATH (README, "Set-up"). Publishes the CLI (Release, with its shipped
# organisms) into PREFIX/lib/selfinterp and puts a launcher at PREFIX/bin/selfinterp, then runs `selfinterp --version`.
# PREFIX: $PREFIX if set, else /usr/local as root, else ~/.local. Needs only the .NET 10 SDK; run it again to update.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

dotnet=$(command -v dotnet || true)
if [ -z "$dotnet" ]; then
  echo "error: the .NET 10 SDK is not installed (dotnet is not on the PATH); see https://dot.net" >&2
  exit 2
fi
if [ -n "${PREFIX:-}" ]; then prefix=$PREFIX
elif [ "$(id -u)" = 0 ]; then prefix=/usr/local
else prefix=$HOME/.local
fi
lib=$prefix/lib/selfinterp
bin=$prefix/bin

echo "building selfinterp (Release); the first build takes a minute or two on a laptop..."
rm -rf "$lib.new"
"$dotnet" publish src/SelfInterp.Cli/SelfInterp.Cli.csproj -c Release -o "$lib.new" -v quiet -nologo
rm -rf "$lib"
mv "$lib.new" "$lib"

# A launcher, not a symlink to the apphost: it runs with the dotnet found now, wherever the SDK lives.
mkdir -p "$bin"
cat > "$bin/selfinterp.new" <<LAUNCHER
#!/bin/sh
exec "$dotnet" "$lib/selfinterp.dll" "\$@"
LAUNCHER
chmod +x "$bin/selfinterp.new"
mv "$bin/selfinterp.new" "$bin/selfinterp"

echo "installed: $bin/selfinterp ($("$bin/selfinterp" --version))"
case ":$PATH:" in
  *":$bin:"*) ;;
  *) echo "note: $bin is not on your PATH; add it, e.g.: echo 'export PATH=\"$bin:\$PATH\"' >> ~/.profile && . ~/.profile" ;;
esac
