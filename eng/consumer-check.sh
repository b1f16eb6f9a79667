#!/usr/bin/env bash
# Packs Recurrent, then builds and runs a throwaway console app outside the solution that references the
# packed package through a local folder feed. Proves the .nupkg (and its .snupkg) is consumable as shipped.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dotnet pack src/Recurrent/Recurrent.csproj -c Release -o "$work/feed" -p:VersionSuffix="ci.$(date +%s)" --nologo -v quiet
ls "$work/feed"/Recurrent.*.nupkg "$work/feed"/Recurrent.*.snupkg
version=$(basename "$(ls "$work"/feed/Recurrent.*.nupkg | grep -v snupkg)" .nupkg | sed 's/^Recurrent\.//')

mkdir -p "$work/app"
cat > "$work/app/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$work/feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
XML
cat > "$work/app/app.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Recurrent" Version="$version" />
  </ItemGroup>
</Project>
XML
cp eng/consumer/Program.cs "$work/app/Program.cs"
# The app lives outside the repository, so the repository's Directory.*.props do not apply to it.
# A unique version and a private packages folder: a stale package from an earlier run can never be picked up.
dotnet build "$work/app/app.csproj" -c Release --packages "$work/packages" --nologo -v quiet
dotnet run --project "$work/app/app.csproj" -c Release --no-build
