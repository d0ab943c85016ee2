/**
 * CloudFront's origin-facing managed prefix list per region, from data/cloudfront/origin-facing-prefix-lists.json
 * (the only place the ids come from; see its `about` for why they are data and not a lookup). A named plan entry
 * point: it reads that file, nothing else.
 */
import { readFileSync } from 'node:fs';
import { packageFile } from '../../package-files.js';
import { UsageError } from '../../errors.js';

export const PREFIX_LIST_DATA = packageFile('data', 'cloudfront', 'origin-facing-prefix-lists.json');

export interface PrefixListData {
  prefixListName: string;
  recorded: string;
  sources: string[];
  regions: Record<string, string>;
}

let cached: PrefixListData | undefined;

export function cloudFrontPrefixLists(file = PREFIX_LIST_DATA): PrefixListData {
  if (cached && file === PREFIX_LIST_DATA) return cached;
  const data = JSON.parse(readFileSync(file, 'utf8')) as PrefixListData;
  if (file === PREFIX_LIST_DATA) cached = data;
  return data;
}

/** The prefix list id of a region, or a usage error that says how to add it. */
export function cloudFrontPrefixListId(region: string, data = cloudFrontPrefixLists()): string {
  const id = data.regions[region];
  if (id) return id;
  throw new UsageError(
    `berth does not know the id of CloudFront's origin-facing prefix list in ${region} (it knows ${Object.keys(data.regions).length} regions)`,
    `add it to data/cloudfront/origin-facing-prefix-lists.json (aws ec2 describe-managed-prefix-lists --region ${region} --filters Name=prefix-list-name,Values=${data.prefixListName}), or set https: false for this environment`,
  );
}
