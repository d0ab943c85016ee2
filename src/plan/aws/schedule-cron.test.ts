import { describe, expect, it } from 'vitest';
import { CronConversionError, toAwsCron } from './schedule-cron.js';

describe('toAwsCron', () => {
  it('puts ? in day-of-week when only day-of-month matters, and adds the year', () => {
    expect(toAwsCron('0 20 * * *')).toBe('0 20 * * ? *');
    expect(toAwsCron('30 6 1 * *')).toBe('30 6 1 * ? *');
    expect(toAwsCron('*/15 8-18 * * *')).toBe('*/15 8-18 * * ? *');
  });

  it('turns cron day numbers (0-6 from Sunday, 7 also Sunday) into AWS day names with ? in day-of-month', () => {
    expect(toAwsCron('0 20 * * 1-5')).toBe('0 20 ? * MON-FRI *');
    expect(toAwsCron('0 7 * * 0')).toBe('0 7 ? * SUN *');
    expect(toAwsCron('0 7 * * 7')).toBe('0 7 ? * SUN *');
    expect(toAwsCron('0 7 * * 6')).toBe('0 7 ? * SAT *');
    expect(toAwsCron('0 7 * * 0,6')).toBe('0 7 ? * SUN,SAT *');
    expect(toAwsCron('0 7 * * 5-7')).toBe('0 7 ? * SUN,FRI,SAT *');
    expect(toAwsCron('0 7 * * sat,sun')).toBe('0 7 ? * SUN,SAT *');
    expect(toAwsCron('0 7 * * */2')).toBe('0 7 ? * SUN,TUE,THU,SAT *');
    expect(toAwsCron('0 7 * * 1,2,3')).toBe('0 7 ? * MON-WED *');
  });

  it('refuses what AWS cannot express', () => {
    expect(() => toAwsCron('0 7 1 * 1')).toThrow(CronConversionError);
    expect(() => toAwsCron('0 7 * *')).toThrow(/five-field/);
    expect(() => toAwsCron('0 7 * * 5-1')).toThrow(/backwards/);
    expect(() => toAwsCron('0 7 * * 8')).toThrow(/not a day of the week/);
  });
});
