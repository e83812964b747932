// labels.js — the Chinese terms the users know, for the identifiers of the glossary.
export const kindLabels = {
  committee: '党委', party_group: '党组', general_branch: '党总支', branch: '党支部', group: '党小组',
  industry_committee: '行业党委', functional_branch: '功能性党支部', cloud_branch: '云支部',
  mobile_branch: '流动党员党支部', temporary_branch: '临时党支部',
};
export const statusLabels = { full: '正式党员', probationary: '预备党员' };
export const genderLabels = { male: '男', female: '女' };
export const orgStatusLabels = { active: '正常', dissolved: '已撤销', merged: '已撤并' };
export const postLabels = {
  secretary: '书记', deputy_secretary: '副书记', organization: '组织委员', propaganda: '宣传委员',
  discipline: '纪检委员', member: '委员',
};
export const roleLabels = { admin: '系统管理员', org_admin: '组织管理员', branch_admin: '支部书记/经办人', member: '党员' };
export const eventLabels = {
  create: '成立', rename: '更名', rekind: '变更类别', move: '调整隶属关系', dissolve: '撤销',
  merge_out: '撤并（并入其他组织）', merge_in: '撤并（接收并入组织）', election: '换届选举', appointment: '任命班子',
};
export const levelTypes = { error: 'danger', warn: 'warning', info: 'info' };
export const activityStatus = { planned: '待开展', held: '已开展', cancelled: '已取消' };
export const statusTypes = { planned: 'info', held: 'success', cancelled: 'danger' };
export const attendanceLabels = { present: '出席', leave: '请假', absent: '缺席' };
export const cellText = { ok: '已落实', missing: '缺项', pending: '待完成', open: '', na: '—', future: '' };
export const assignmentState = {
  not_started: '未开始', in_progress: '进行中', submitted: '待审核', accepted: '已通过', returned: '已退回', overdue: '已逾期',
};
export const assignmentTypes = {
  not_started: 'info', in_progress: 'primary', submitted: 'warning', accepted: 'success', returned: 'danger', overdue: 'danger',
};
export const planStatus = { draft: '草稿', published: '已发布', closed: '已结束' };
export const planTypes = { draft: 'info', published: 'success', closed: '' };
export const eventKinds = { progress: '进展上报', final: '完成上报', accept: '审核通过', return: '退回', change: '任务调整' };
// A study plan's items, and how often an organizational-life rule falls due.
export const studyItemKinds = { article: '文章', course: '课程', video: '视频', file: '文件' };
export const rulePeriods = { month: '每月', quarter: '每季度', year: '每年' };
export const quotaPer = { assignee: '每个单位', total: '合计' };
// "≥ 1 个", "1–2 个", "≤ 5 个"
export function quotaText(q) {
  const n = (v) => (v === null || v === undefined ? null : Number(v));
  const mn = n(q.min), mx = n(q.max);
  const range = mn !== null && mx !== null ? (mn === mx ? `${mn}` : `${mn}–${mx}`) : mn !== null ? `≥ ${mn}` : `≤ ${mx}`;
  return `${q.item} ${range} ${q.unit}${q.per === 'total' ? '（合计）' : '（每单位）'}`;
}
// The modules' names in a 待办 list, as each module's .label in src/*/*_module.c
// says (a module not listed shows its own name).
export const moduleLabels = {
  org: '党组织', member: '党员', life: '组织生活', task: '任务部署', user: '账号', platform: '平台', develop: '发展党员',
  dues: '党费', attach: '附件', audit: '审计', notify: '提醒',
};
// 发展党员: a person's standing, and the 支部大会's decision on a probation.
export const developStatus = {
  applicant: '入党申请人', activist: '入党积极分子', candidate: '发展对象', probationary: '预备党员', full: '正式党员', stopped: '已终止',
};
export const developDecision = { convert: '按期转正', extend: '延长预备期' };
