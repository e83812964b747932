// The 任务部署 module's pages.
export default [
  { path: '/plans', component: () => import('./Plans.vue'), meta: { manage: true } },
  { path: '/plans/:id', component: () => import('./PlanDetail.vue'), meta: { manage: true } },
  { path: '/tasks', component: () => import('./Tasks.vue'), meta: { manage: true } },
  { path: '/assignments/:id', component: () => import('./AssignmentDetail.vue'), meta: { manage: true } },
];
