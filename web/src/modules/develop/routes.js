// 发展党员's pages: the board by stage (with this month's due list and the
// list), and each person's timeline with the form of the next step.
export default [
  { path: '/develop', component: () => import('./Develop.vue'), meta: { manage: true } },
  { path: '/develop/people/:id', component: () => import('./Person.vue'), meta: { manage: true } },
];
