// The 党费 module's pages: the managers' 党费收缴 (monthly sheet, bases,
// payments, arrears) and the member's own 我的党费 on the phone.
export default [
  { path: '/dues', component: () => import('./Dues.vue'), meta: { manage: true } },
  { path: '/dues/:tab(sheet|bases|payments|arrears)', component: () => import('./Dues.vue'), meta: { manage: true } },
  { path: '/mydues', component: () => import('./MyDues.vue') },
];
