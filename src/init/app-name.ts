/** A valid berth app name from a folder name: lower-case, hyphens, starting with a letter, at most APP_NAME_MAX characters. */
import { APP_NAME_MAX, APP_NAME_PATTERN } from '../config/schema.js';

export interface AppNameFinding {
  value: string;
  reason: string;
}

export function appNameFromFolder(folder: string): AppNameFinding {
  const cleaned = folder
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '');
  let name = cleaned.slice(0, APP_NAME_MAX).replace(/-+$/, '');
  // Cut at a word boundary rather than mid-word when the name is too long and has words.
  if (cleaned.length > APP_NAME_MAX && name.includes('-') && cleaned[APP_NAME_MAX] !== '-') name = name.slice(0, name.lastIndexOf('-'));
  if (name.length < 2 || !APP_NAME_PATTERN.test(name)) {
    return { value: 'app', reason: `the folder name "${folder}" has no usable letters; "app" is a placeholder, choose a name` };
  }
  if (name === folder) return { value: name, reason: `from the folder name` };
  const why = cleaned.length > APP_NAME_MAX ? `, shortened to ${APP_NAME_MAX} characters` : '';
  return { value: name, reason: `from the folder name "${folder}", made valid (lowercase letters, digits and hyphens${why})` };
}
