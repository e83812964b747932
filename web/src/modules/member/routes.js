// The member module's pages.
export default [
  { path: '/members', component: () => import('./Members.vue'), meta: { manage: true } },
  { path: '/members/:id', component: () => import('./MemberDetail.vue') },
  { path: '/transfers', component: () => import('./Transfers.vue'), meta: { manage: true } },
  { path: '/mobile', component: () => import('./Mobile.vue'), meta: { manage: true } },
  { path: '/member-ends', component: () => import('./MemberEnds.vue'), meta: { manage: true } },
  { path: '/import', component: () => import('./Import.vue'), meta: { manage: true } },
  { path: '/me', component: () => import('./Me.vue') },
];
