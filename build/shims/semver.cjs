'use strict';
/**
 * The two semver calls in the Lambda bundles (aws-xray-sdk-core and cls-hooked each check one
 * version with `gte`) do not need the 28 KiB semver package at every cold start.
 */
const parts = (version) =>
  String(version)
    .replace(/^v/, '')
    .split(/[.+-]/)
    .slice(0, 3)
    .map((part) => Number.parseInt(part, 10) || 0);

const gte = (left, right) => {
  const a = parts(left);
  const b = parts(right);
  for (let i = 0; i < 3; i += 1) {
    if (a[i] !== b[i]) return a[i] > b[i];
  }
  return true;
};

module.exports = { gte };
