/**
 * A valid berth app name from a folder name: lower-case, hyphens, starting with a letter, at most APP_NAME_MAX
 * characters. Docker names are global on an engine, so a generic folder name (app, src, backend ...) is prefixed
 * with its parent folder's name: ~/work/shop/app -> shop-app.
 */
import { APP_NAME_MAX, APP_NAME_PATTERN } from '../config/schema.js';

export interface AppNameFinding {
  value: string;
  reason: string;
}

/** Folder names many unrelated projects share; two of them deployed as the same app would replace each other. */
export const GENERIC_FOLDER_NAMES: ReadonlySet<string> = new Set([
  'app', 'src', 'web', 'backend', 'frontend', 'service', 'api',
  // the same kind of name, as common in samples and monorepos
  'server', 'client', 'code', 'www', 'site', 'project', 'apps', 'services',
]);

function cleanName(folder: string): string {
  return folder
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '');
}

/** At most `max` characters, cut at a word boundary when the name has words. */
function shorten(cleaned: string, max: number): string {
  let name = cleaned.slice(0, max).replace(/-+$/, '');
  if (cleaned.length > max && name.includes('-') && cleaned[max] !== '-') name = name.slice(0, name.lastIndexOf('-'));
  return name;
}

const usable = (name: string) => name.length >= 2 && APP_NAME_PATTERN.test(name);

/**
 * The app name for a folder. `parent` is the name of the folder holding it; it is used when the folder's own
 * name is generic.
 */
export function appNameFromFolder(folder: string, parent?: string): AppNameFinding {
  const cleaned = cleanName(folder);
  const name = shorten(cleaned, APP_NAME_MAX);
  if (usable(name) && GENERIC_FOLDER_NAMES.has(name)) {
    const parentName = cleanName(parent ?? '');
    if (parentName) {
      // Keep the generic word whole ("-app", "-backend") and shorten the parent's part to fit.
      const prefix = shorten(parentName, APP_NAME_MAX - name.length - 1);
      const combined = `${prefix}-${name}`;
      if (prefix.length >= 1 && usable(combined)) {
        return { value: combined, reason: `from the folder names "${parent}/${folder}": "${name}" alone is a common folder name, and two projects deployed as the same app replace each other's containers` };
      }
    }
    return { value: name, reason: `from the folder name; "${name}" is a common folder name: choose a name no other project on this Docker engine or AWS account uses` };
  }
  if (!usable(name)) {
    return { value: 'app', reason: `the folder name "${folder}" has no usable letters; "app" is a placeholder, choose a name` };
  }
  if (name === folder) return { value: name, reason: `from the folder name` };
  const why = cleaned.length > APP_NAME_MAX ? `, shortened to ${APP_NAME_MAX} characters` : '';
  return { value: name, reason: `from the folder name "${folder}", made valid (lowercase letters, digits and hyphens${why})` };
}
