import { describe, expect, it } from 'vitest';
import {
  evaluateExpression,
  ExpressionError,
  parseExpression,
  walkPath,
} from '../../../src/shared/filter-expression';
import type { JsonValue } from '../../../src/shared/hub-event';

function matches(expression: string, record: { [key: string]: JsonValue }): boolean {
  return evaluateExpression(parseExpression(expression), (path) => walkPath(record, path, 0));
}

const crash = {
  event: 'crash',
  level: 'error',
  data: {
    Topic: 'crash',
    Data: { server_id: 'srv_1', payload: { reason: 'signal: killed', exit_code: 137 } },
  },
};
const status = {
  event: 'status',
  level: 'info',
  data: { Topic: 'status', Data: { server_id: 'srv_2', payload: 'running' } },
};

describe('the filter expression language', () => {
  it('matches a nested data field compared with a number', () => {
    expect(matches('data.Data.payload.exit_code != 0', crash)).toBe(true);
    expect(matches('data.Data.payload.exit_code == 137', crash)).toBe(true);
    expect(matches('data.Data.payload.exit_code > 200', crash)).toBe(false);
  });

  it('treats a missing path as false for every comparison, including !=', () => {
    expect(matches('data.Data.payload.exit_code != 0', status)).toBe(false);
    expect(matches('data.Data.payload.exit_code exists', status)).toBe(false);
    expect(matches('not data.Data.payload.exit_code exists', status)).toBe(true);
  });

  it('combines with and, or, not and parentheses in the usual precedence', () => {
    expect(matches('event == crash or event == status and level == warn', status)).toBe(false);
    expect(matches('(event == crash or event == status) and level == info', status)).toBe(true);
    expect(matches('!(level == "info")', crash)).toBe(true);
    expect(matches('level == "error" && data.Data.server_id == "srv_1"', crash)).toBe(true);
  });

  it('matches regular expressions with ~ and strings with contains', () => {
    expect(matches('data.Data.payload.reason ~ /^signal/', crash)).toBe(true);
    expect(matches('data.Data.payload.reason ~ /^SIGNAL/i', crash)).toBe(true);
    expect(matches('data.Data.payload.reason contains "KILLED"', crash)).toBe(true);
    expect(matches('data.Data.server_id ~ "srv_[0-9]+"', crash)).toBe(true);
  });

  it('compares numeric strings with numbers and reads array indexes', () => {
    const record = { data: { code: '42', list: [{ name: 'a' }, { name: 'b' }] } };
    expect(matches('data.code == 42', record)).toBe(true);
    expect(matches('data.code >= 40', record)).toBe(true);
    expect(matches('data.list[1].name == b', record)).toBe(true);
    expect(matches('data.list.0.name == "a"', record)).toBe(true);
  });

  it('reports where a malformed expression goes wrong', () => {
    expect(() => parseExpression('data.x ==')).toThrow(ExpressionError);
    expect(() => parseExpression('data.x == "open')).toThrow(/unterminated string/);
    expect(() => parseExpression('data.x ~ /a(/')).toThrow(/invalid regular expression/);
    expect(() => parseExpression('data.x ~ /open')).toThrow(/unterminated regular expression/);
    try {
      parseExpression('level == info )');
    } catch (error) {
      expect((error as ExpressionError).offset).toBe(14);
    }
  });
});
