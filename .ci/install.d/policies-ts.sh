# The TypeScript policy SDK's packages (sourced by .ci/run): componentize-js,
# esbuild and TypeScript from sdk-ts/package-lock.json.
(cd sdk-ts && npm ci --no-audit --no-fund --loglevel=error)
