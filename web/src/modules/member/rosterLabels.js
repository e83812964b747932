// rosterLabels.js — the terms of transfers, mobile members and ends of membership.
export const transferKinds = { inside: '平台内转接', out: '转往平台外', in: '从平台外转入' };
export const transferStatus = { pending: '待接收', accepted: '已接收', returned: '已退回', issued: '待回执', received: '回执已收回', registered: '已转入' };
export const endReasons = { death: '死亡', expulsion: '开除党籍', persuaded: '劝退', removal: '除名', lapse: '自行脱党', suspension: '停止党籍', transfer_out: '转出',
  probation_cancelled: '取消预备党员资格', not_admitted: '上级党委未批准接收为预备党员' };
export function clearErrors(errors) { for (const k of Object.keys(errors)) delete errors[k]; }
