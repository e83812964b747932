// money.js — fen as yuan for display; amounts go to the server as the yuan
// the user typed (it refuses more than two decimals), never as floats.
export function yuan(fen) {
  if (fen === null || fen === undefined) return '—';
  const neg = fen < 0;
  const a = Math.abs(fen);
  return (neg ? '-' : '') + Math.floor(a / 100).toLocaleString('zh-CN') + '.' + String(a % 100).padStart(2, '0');
}
export function rate(bp) {
  return bp === null || bp === undefined ? '—' : (bp / 100).toString() + '%';
}
export const stateText = { paid: '已交', owed: '欠交', open: '待交', partial: '部分交纳', unassessed: '未核定', before: '入党前', none: '免交' };
export const stateType = { paid: 'success', owed: 'danger', open: 'info', partial: 'warning', unassessed: 'warning', before: 'info', none: 'info' };
