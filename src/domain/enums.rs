//! Every coded enum of the domain (DOMAIN.md), with its zh-CN and English labels.
//!
//! The rules on these enums each have one home. The visit interval of a risk level is applied in
//! SQL (`case_visit_due`, which the stored `cases.visit_due_at` and its index need), and
//! [`RiskLevel::visit_interval_days`] states it in Rust; `tests/api/rules.rs` holds the two equal
//! for every level. [`AttendanceStatus::counts_as_served`] is applied from Rust: the queries that
//! count attendance take their status list from it.

use crate::coded_enum;

coded_enum! {
    /// Tier of an org unit in the four-tier hierarchy.
    pub enum Tier: "tier" {
        Center = ("center", "指导中心", "Guidance centre"),
        County = ("county", "县级社会工作总站", "County station"),
        Township = ("township", "乡镇（街道）社会工作服务站", "Township station"),
        Village = ("village", "村（社区）社会工作服务室", "Village room"),
    }
}

impl Tier {
    /// The tier a child of this tier must have; a `center` may also hold centres.
    pub fn child_allowed(self, child: Tier) -> bool {
        matches!(
            (self, child),
            (Tier::Center, Tier::Center)
                | (Tier::Center, Tier::County)
                | (Tier::County, Tier::Township)
                | (Tier::Township, Tier::Village)
        )
    }
}

coded_enum! {
    /// Status of an org unit.
    pub enum UnitStatus: "unit_status" {
        Active = ("active", "运行", "Active"),
        Suspended = ("suspended", "暂停", "Suspended"),
        Closed = ("closed", "关闭", "Closed"),
    }
}

coded_enum! {
    /// Role of a user.
    pub enum Role: "role" {
        Worker = ("worker", "社工", "Social worker"),
        Supervisor = ("supervisor", "督导", "Supervisor"),
        Admin = ("admin", "管理员", "Administrator"),
    }
}

coded_enum! {
    /// Professional certification of a social worker.
    pub enum Certification: "certification" {
        None = ("none", "无", "None"),
        Assistant = ("assistant", "助理社会工作师", "Assistant social worker"),
        Intermediate = ("intermediate", "社会工作师", "Social worker"),
        Senior = ("senior", "高级社会工作师", "Senior social worker"),
    }
}

coded_enum! {
    /// Gender as recorded on identity documents.
    pub enum Gender: "gender" {
        Male = ("male", "男", "Male"),
        Female = ("female", "女", "Female"),
    }
}

coded_enum! {
    /// Type of identity document.
    pub enum IdType: "id_type" {
        ResidentId = ("resident_id", "居民身份证", "Resident identity card"),
        HmtPermit = ("hmt_permit", "港澳台居民居住证", "HK/Macao/Taiwan residence permit"),
        Passport = ("passport", "护照", "Passport"),
        None = ("none", "无证件", "No document"),
    }
}

coded_enum! {
    /// Client category (服务对象类别); a client may have several.
    pub enum ClientCategory: "client_category" {
        Dibao = ("dibao", "城乡低保对象", "Minimum subsistence recipient"),
        DibaoEdge = ("dibao_edge", "低保边缘家庭", "Near-subsistence family"),
        Tekun = ("tekun", "特困人员", "Person in extreme poverty"),
        LowIncome = ("low_income", "低收入人口", "Low-income person"),
        TempAssistance = ("temp_assistance", "临时救助对象", "Temporary assistance recipient"),
        Orphan = ("orphan", "孤儿", "Orphan"),
        DeFactoUncaredChild = ("de_facto_uncared_child", "事实无人抚养儿童", "De facto uncared-for child"),
        DistressedChild = ("distressed_child", "困境儿童", "Child in difficulty"),
        LeftBehindChild = ("left_behind_child", "农村留守儿童", "Rural left-behind child"),
        LeftBehindElder = ("left_behind_elder", "农村留守老年人", "Rural left-behind elder"),
        EmptyNestElder = ("empty_nest_elder", "空巢老年人", "Empty-nest elder"),
        LivingAloneElder = ("living_alone_elder", "独居老年人", "Elder living alone"),
        DisabledElder = ("disabled_elder", "失能老年人", "Elder unable to care for self"),
        Disabled = ("disabled", "残疾人", "Person with disability"),
        SevereDisabled = ("severe_disabled", "重度残疾人", "Person with severe disability"),
        LeftBehindWoman = ("left_behind_woman", "农村留守妇女", "Rural left-behind woman"),
        FamilyPlanningSpecial = ("family_planning_special", "计划生育特殊家庭", "Family-planning special family"),
        MentalDisorder = ("mental_disorder", "精神障碍患者", "Person with mental disorder"),
        Homeless = ("homeless", "流浪乞讨人员", "Homeless person"),
        CommunityCorrection = ("community_correction", "社区矫正对象", "Person under community correction"),
        Youfu = ("youfu", "优抚对象", "Entitled veteran or family"),
        GeneralResident = ("general_resident", "一般居民", "General resident"),
    }
}

coded_enum! {
    /// Ability to care for oneself.
    pub enum SelfCare: "self_care" {
        Independent = ("independent", "全自理", "Independent"),
        Partial = ("partial", "半自理", "Partly dependent"),
        Dependent = ("dependent", "失能", "Dependent"),
    }
}

coded_enum! {
    /// Living arrangement of a client.
    pub enum LivingArrangement: "living_arrangement" {
        WithFamily = ("with_family", "与家人同住", "With family"),
        Alone = ("alone", "独居", "Alone"),
        WithSpouseOnly = ("with_spouse_only", "仅与配偶同住", "With spouse only"),
        WithGrandparents = ("with_grandparents", "隔代同住", "With grandparents"),
        WithRelatives = ("with_relatives", "与亲属同住", "With relatives"),
        Institution = ("institution", "机构养育/供养", "In an institution"),
        Other = ("other", "其他", "Other"),
    }
}

coded_enum! {
    /// Disability category (残疾类别).
    pub enum DisabilityCategory: "disability_category" {
        Visual = ("visual", "视力残疾", "Visual"),
        Hearing = ("hearing", "听力残疾", "Hearing"),
        Speech = ("speech", "言语残疾", "Speech"),
        Physical = ("physical", "肢体残疾", "Physical"),
        Intellectual = ("intellectual", "智力残疾", "Intellectual"),
        Mental = ("mental", "精神残疾", "Mental"),
        Multiple = ("multiple", "多重残疾", "Multiple"),
    }
}

coded_enum! {
    /// Relation of a household member to the household head.
    pub enum HouseholdRelation: "household_relation" {
        SelfHead = ("self", "本人", "Self"),
        Spouse = ("spouse", "配偶", "Spouse"),
        Child = ("child", "子女", "Child"),
        Parent = ("parent", "父母", "Parent"),
        Grandparent = ("grandparent", "祖父母/外祖父母", "Grandparent"),
        Grandchild = ("grandchild", "孙子女/外孙子女", "Grandchild"),
        Sibling = ("sibling", "兄弟姐妹", "Sibling"),
        Other = ("other", "其他", "Other"),
    }
}

coded_enum! {
    /// Risk level (四级分类); it also sets the visit interval.
    pub enum RiskLevel: "risk_level" {
        Red = ("red", "红色（高风险）", "Red (high risk)"),
        Yellow = ("yellow", "黄色（中风险）", "Yellow (medium risk)"),
        Blue = ("blue", "蓝色（低风险）", "Blue (low risk)"),
        Green = ("green", "绿色（无风险）", "Green (no risk)"),
    }
}

impl RiskLevel {
    /// Days between visits before a case at this level is overdue.
    ///
    /// The SQL function `case_visit_due` (migration `casework`) is where this rule is applied:
    /// the stored `cases.visit_due_at` and its index need it inside PostgreSQL. This is its Rust
    /// statement, and `tests/api/rules.rs` proves the two equal for every level.
    pub fn visit_interval_days(self) -> i64 {
        match self {
            RiskLevel::Red => 7,
            RiskLevel::Yellow => 14,
            RiskLevel::Blue => 30,
            RiskLevel::Green => 90,
        }
    }
}

coded_enum! {
    /// Where a case came from.
    pub enum CaseSource: "case_source" {
        SelfReferral = ("self_referral", "主动求助", "Self-referral"),
        ReferralIn = ("referral_in", "转介", "Referred in"),
        Outreach = ("outreach", "外展发现", "Outreach"),
        Screening = ("screening", "摸底排查", "Screening"),
        Hotline = ("hotline", "热线", "Hotline"),
        Other = ("other", "其他", "Other"),
    }
}

coded_enum! {
    /// Service domain of a case.
    pub enum ServiceDomain: "service_domain" {
        SocialAssistance = ("social_assistance", "社会救助", "Social assistance"),
        ElderlyCare = ("elderly_care", "养老服务", "Elderly care"),
        ChildProtection = ("child_protection", "儿童关爱保护", "Child protection"),
        Disability = ("disability", "残疾人服务", "Disability services"),
        CommunityGovernance = ("community_governance", "社区治理", "Community governance"),
        SocialAffairs = ("social_affairs", "社会事务", "Social affairs"),
    }
}

coded_enum! {
    /// Status of a case in the casework process.
    pub enum CaseStatus: "case_status" {
        Intake = ("intake", "接案", "Intake"),
        NotOpened = ("not_opened", "不予开案", "Not opened"),
        Assessment = ("assessment", "预估", "Assessment"),
        Planning = ("planning", "计划", "Planning"),
        Intervention = ("intervention", "介入", "Intervention"),
        Suspended = ("suspended", "暂停", "Suspended"),
        Evaluation = ("evaluation", "评估", "Evaluation"),
        FollowUp = ("follow_up", "跟进", "Follow-up"),
        Closed = ("closed", "结案", "Closed"),
        Voided = ("voided", "作废", "Voided"),
    }
}

coded_enum! {
    /// An action that moves a case through its process.
    pub enum CaseAction: "case_action" {
        Decline = ("decline", "不予开案", "Decline"),
        StartAssessment = ("start_assessment", "开始预估", "Start assessment"),
        FastTrack = ("fast_track", "危机快速介入", "Crisis fast-track"),
        StartPlanning = ("start_planning", "开始计划", "Start planning"),
        SubmitPlan = ("submit_plan", "提交服务计划", "Submit plan"),
        Reassess = ("reassess", "重新预估", "Reassess"),
        Suspend = ("suspend", "暂停服务", "Suspend"),
        Resume = ("resume", "恢复服务", "Resume"),
        StartEvaluation = ("start_evaluation", "开始评估", "Start evaluation"),
        RequestClosure = ("request_closure", "申请结案", "Request closure"),
        CompleteFollowUp = ("complete_follow_up", "完成跟进", "Complete follow-up"),
        Reopen = ("reopen", "重新开案", "Reopen"),
        Void = ("void", "作废", "Void"),
    }
}

coded_enum! {
    /// Why a case was closed.
    pub enum ClosureReason: "closure_reason" {
        GoalsAchieved = ("goals_achieved", "目标达成", "Goals achieved"),
        ClientRequest = ("client_request", "服务对象要求", "Client's request"),
        ReferredOut = ("referred_out", "已转介", "Referred out"),
        Relocated = ("relocated", "迁出", "Relocated"),
        LostContact = ("lost_contact", "失联", "Lost contact"),
        Deceased = ("deceased", "死亡", "Deceased"),
        NotEligible = ("not_eligible", "不属服务范围", "Not eligible"),
        ProjectEnded = ("project_ended", "项目结束", "Project ended"),
        Other = ("other", "其他", "Other"),
    }
}

coded_enum! {
    /// Kind of a supervisor review.
    pub enum ReviewKind: "review_kind" {
        PlanApproval = ("plan_approval", "服务计划审批", "Plan approval"),
        ClosureApproval = ("closure_approval", "结案审批", "Closure approval"),
    }
}

coded_enum! {
    /// Status of a review.
    pub enum ReviewStatus: "review_status" {
        Pending = ("pending", "待审核", "Pending"),
        Approved = ("approved", "已批准", "Approved"),
        Returned = ("returned", "已退回", "Returned"),
    }
}

coded_enum! {
    /// A supervisor's decision on a review.
    pub enum ReviewDecision: "review_decision" {
        Approve = ("approve", "批准", "Approve"),
        Return = ("return", "退回", "Return"),
    }
}

coded_enum! {
    /// Source of information for an assessment.
    pub enum AssessmentSource: "assessment_source" {
        Interview = ("interview", "面谈", "Interview"),
        HomeVisit = ("home_visit", "家访", "Home visit"),
        ThirdParty = ("third_party", "第三方", "Third party"),
        Records = ("records", "档案资料", "Records"),
    }
}

coded_enum! {
    /// Status of a service-plan goal.
    pub enum GoalStatus: "goal_status" {
        Open = ("open", "进行中", "Open"),
        Achieved = ("achieved", "已达成", "Achieved"),
        Partly = ("partly", "部分达成", "Partly achieved"),
        NotAchieved = ("not_achieved", "未达成", "Not achieved"),
    }
}

coded_enum! {
    /// What an evaluation recommends.
    pub enum EvaluationRecommendation: "evaluation_recommendation" {
        Close = ("close", "结案", "Close"),
        Continue = ("continue", "继续服务", "Continue"),
        RevisePlan = ("revise_plan", "修订计划", "Revise plan"),
    }
}

coded_enum! {
    /// Direction of a referral.
    pub enum ReferralDirection: "referral_direction" {
        Out = ("out", "转出", "Out"),
        In = ("in", "转入", "In"),
    }
}

coded_enum! {
    /// Status of a referral.
    pub enum ReferralStatus: "referral_status" {
        Sent = ("sent", "已发送", "Sent"),
        Accepted = ("accepted", "已接收", "Accepted"),
        Declined = ("declined", "已拒绝", "Declined"),
        Completed = ("completed", "已完成", "Completed"),
    }
}

coded_enum! {
    /// Method of a service session.
    pub enum SessionMethod: "session_method" {
        Individual = ("individual", "个案", "Individual casework"),
        Group = ("group", "小组", "Group work"),
        Community = ("community", "社区", "Community work"),
        Visit = ("visit", "走访", "Visit"),
    }
}

coded_enum! {
    /// How an individual session was delivered (also used for follow-ups).
    pub enum ContactMode: "contact_mode" {
        FaceToFace = ("face_to_face", "面谈", "Face to face"),
        HomeVisit = ("home_visit", "家访", "Home visit"),
        Phone = ("phone", "电话", "Phone"),
        Online = ("online", "线上", "Online"),
        Accompany = ("accompany", "陪同", "Accompanying"),
    }
}

coded_enum! {
    /// Attendance of one participant at a group session.
    pub enum AttendanceStatus: "attendance_status" {
        Present = ("present", "出席", "Present"),
        Late = ("late", "迟到", "Late"),
        Absent = ("absent", "缺席", "Absent"),
        Excused = ("excused", "请假", "Excused"),
    }
}

impl AttendanceStatus {
    /// Present and late attendees are served; they count in person-times and people served.
    ///
    /// The one home of this rule: the SQL that counts attendance takes its status list from here
    /// (`db::repo::rules::served_attendance`).
    pub fn counts_as_served(self) -> bool {
        matches!(self, AttendanceStatus::Present | AttendanceStatus::Late)
    }
}

coded_enum! {
    /// Kind of a community session.
    pub enum CommunityKind: "community_kind" {
        Event = ("event", "社区活动", "Community event"),
        Education = ("education", "宣传讲座", "Education talk"),
        NeedsSurvey = ("needs_survey", "需求调研", "Needs survey"),
        Deliberation = ("deliberation", "居民议事", "Residents' deliberation"),
        VolunteerService = ("volunteer_service", "志愿服务", "Volunteer service"),
        OrgIncubation = ("org_incubation", "社区组织培育", "Community organisation incubation"),
    }
}

coded_enum! {
    /// A partner of the 五社联动 (five-party linkage).
    pub enum LinkagePartner: "linkage_partner" {
        Community = ("community", "社区", "Community"),
        SocialOrg = ("social_org", "社会组织", "Social organisation"),
        SocialWorker = ("social_worker", "社会工作者", "Social worker"),
        Volunteer = ("volunteer", "社区志愿者", "Volunteer"),
        Charity = ("charity", "社会慈善资源", "Charitable resources"),
    }
}

coded_enum! {
    /// Type of a group.
    pub enum GroupType: "group_type" {
        Education = ("education", "教育小组", "Education"),
        Growth = ("growth", "成长小组", "Growth"),
        Support = ("support", "支持小组", "Support"),
        Therapy = ("therapy", "治疗小组", "Therapy"),
        Interest = ("interest", "兴趣小组", "Interest"),
        Volunteer = ("volunteer", "志愿小组", "Volunteer"),
    }
}

coded_enum! {
    /// Status of a group.
    pub enum GroupStatus: "group_status" {
        Planning = ("planning", "筹备中", "Planning"),
        Running = ("running", "进行中", "Running"),
        Ended = ("ended", "已结束", "Ended"),
        Cancelled = ("cancelled", "已取消", "Cancelled"),
    }
}

coded_enum! {
    /// Type of service delivered in a session (multi-valued).
    pub enum ServiceType: "service_type" {
        NeedsAssessment = ("needs_assessment", "需求评估", "Needs assessment"),
        PsychSupport = ("psych_support", "心理疏导", "Psychological support"),
        Care = ("care", "照料护理", "Care"),
        SocialIntegration = ("social_integration", "社会融入", "Social integration"),
        CapacityBuilding = ("capacity_building", "能力提升", "Capacity building"),
        ResourceLinking = ("resource_linking", "资源链接", "Resource linking"),
        PolicyLinking = ("policy_linking", "政策链接", "Policy linking"),
        CrisisIntervention = ("crisis_intervention", "危机干预", "Crisis intervention"),
        RightsProtection = ("rights_protection", "权益保障", "Rights protection"),
        Tutoring = ("tutoring", "课业辅导", "Tutoring"),
        FamilyRelations = ("family_relations", "家庭关系调适", "Family relations"),
        RehabSupport = ("rehab_support", "康复支持", "Rehabilitation support"),
        VisitCare = ("visit_care", "探访关怀", "Visiting care"),
    }
}

coded_enum! {
    /// A care programme a roster belongs to (台账).
    pub enum Programme: "programme" {
        BasicProtection = ("basic_protection", "兜底保障（低保、特困、低边）", "Basic protection"),
        ChildCare = ("child_care", "困境/留守儿童关爱", "Care of children in difficulty"),
        ElderCare = ("elder_care", "独居/空巢/留守/失能老年人关爱", "Care of elderly people"),
        DisabilityCare = ("disability_care", "残疾人关爱", "Care of disabled people"),
        Other = ("other", "其他", "Other"),
    }
}

coded_enum! {
    /// Why someone left a roster.
    pub enum LeaveReason: "leave_reason" {
        NoLongerEligible = ("no_longer_eligible", "不再符合条件", "No longer eligible"),
        Relocated = ("relocated", "迁出", "Relocated"),
        Deceased = ("deceased", "死亡", "Deceased"),
        AgedOut = ("aged_out", "年龄超出", "Aged out"),
        Other = ("other", "其他", "Other"),
    }
}

coded_enum! {
    /// Population group (REPORTING.md §2), how the bureaus' reports split the people served.
    pub enum PopulationGroup: "population_group" {
        Elderly = ("elderly", "老年人", "Elderly (60 and over)"),
        Minor = ("minor", "未成年人", "Minors (under 18)"),
        Disabled = ("disabled", "残疾人", "Disabled people"),
        BasicProtection = ("basic_protection", "低保、特困及低保边缘对象", "Basic protection (dibao, tekun, dibao edge)"),
        ChildrenInDifficulty = ("children_in_difficulty", "困境儿童（含孤儿、事实无人抚养、留守儿童）", "Children in difficulty"),
        Other = ("other", "其他", "Other"),
    }
}

coded_enum! {
    /// Who signed a consent, in relation to the client.
    pub enum ConsentRelation: "consent_relation" {
        Myself = ("self", "本人", "The client"),
        Guardian = ("guardian", "监护人", "Guardian"),
        Agent = ("agent", "委托代理人", "Authorised agent"),
    }
}

coded_enum! {
    /// What a consent allows (PIPL: each use of personal information is consented to separately).
    pub enum ConsentScope: "consent_scope" {
        Services = ("services", "接受服务并建立服务档案", "Services and their records"),
        Sharing = ("sharing", "向转介及合作机构提供信息", "Sharing with referral and partner organisations"),
        Media = ("media", "照片影像用于宣传", "Photos and video for publicity"),
    }
}

coded_enum! {
    /// How a visit was made.
    pub enum VisitMode: "visit_mode" {
        HomeVisit = ("home_visit", "入户", "Home visit"),
        Phone = ("phone", "电话", "Phone"),
        Video = ("video", "视频", "Video"),
        Accompany = ("accompany", "陪同", "Accompanying"),
        GroupVisit = ("group_visit", "集中探访", "Group visit"),
    }
}

coded_enum! {
    /// What a visit led to.
    pub enum VisitAction: "visit_action" {
        None = ("none", "无", "None"),
        OpenCase = ("open_case", "开案", "Open a case"),
        Refer = ("refer", "转介", "Refer"),
        UrgentReport = ("urgent_report", "紧急报告", "Urgent report"),
        PolicyApplication = ("policy_application", "协助申请政策", "Help apply for a benefit"),
    }
}

coded_enum! {
    /// A need a visit found: the service types, and what a visit looks for besides.
    pub enum NeedFound: "need_found" {
        NeedsAssessment = ("needs_assessment", "需求评估", "Needs assessment"),
        PsychSupport = ("psych_support", "心理疏导", "Psychological support"),
        Care = ("care", "照料护理", "Care"),
        SocialIntegration = ("social_integration", "社会融入", "Social integration"),
        CapacityBuilding = ("capacity_building", "能力提升", "Capacity building"),
        ResourceLinking = ("resource_linking", "资源链接", "Resource linking"),
        PolicyLinking = ("policy_linking", "政策链接", "Policy linking"),
        CrisisIntervention = ("crisis_intervention", "危机干预", "Crisis intervention"),
        RightsProtection = ("rights_protection", "权益保障", "Rights protection"),
        Tutoring = ("tutoring", "课业辅导", "Tutoring"),
        FamilyRelations = ("family_relations", "家庭关系调适", "Family relations"),
        RehabSupport = ("rehab_support", "康复支持", "Rehabilitation support"),
        VisitCare = ("visit_care", "探访关怀", "Visiting care"),
        SafetyConcern = ("safety_concern", "安全隐患", "Safety concern"),
        Health = ("health", "健康", "Health"),
        Income = ("income", "收入", "Income"),
        Housing = ("housing", "住房", "Housing"),
        Schooling = ("schooling", "就学", "Schooling"),
        Guardianship = ("guardianship", "监护", "Guardianship"),
    }
}

coded_enum! {
    /// Status of a level change on a roster entry.
    pub enum LevelChangeStatus: "level_change_status" {
        Proposed = ("proposed", "待确认", "Proposed"),
        Confirmed = ("confirmed", "已确认", "Confirmed"),
        Rejected = ("rejected", "未采纳", "Rejected"),
        Superseded = ("superseded", "已被替代", "Superseded"),
    }
}

coded_enum! {
    /// A decision on a re-rating a visit proposed.
    pub enum ProposalDecision: "proposal_decision" {
        Confirm = ("confirm", "确认调整", "Confirm"),
        Reject = ("reject", "不予调整", "Reject"),
    }
}

coded_enum! {
    /// What raised an alert on the supervisors' queue.
    pub enum AlertKind: "alert_kind" {
        UrgentReport = ("urgent_report", "紧急报告", "Urgent report"),
        RedRating = ("red_rating", "评为红色", "Rated red"),
    }
}

coded_enum! {
    /// Status of an alert.
    pub enum AlertStatus: "alert_status" {
        Open = ("open", "待处理", "Open"),
        Acknowledged = ("acknowledged", "已处理", "Acknowledged"),
    }
}

coded_enum! {
    /// Format of a supervision session.
    pub enum SupervisionFormat: "supervision_format" {
        Individual = ("individual", "个别督导", "Individual"),
        Group = ("group", "团体督导", "Group"),
        Onsite = ("onsite", "现场督导", "On site"),
        Online = ("online", "线上督导", "Online"),
    }
}

coded_enum! {
    /// Function of a supervision session.
    pub enum SupervisionFunction: "supervision_function" {
        Educational = ("educational", "教育性", "Educational"),
        Administrative = ("administrative", "行政性", "Administrative"),
        Supportive = ("supportive", "支持性", "Supportive"),
    }
}

coded_enum! {
    /// Outcome of an audited action.
    pub enum AuditOutcome: "audit_outcome" {
        Success = ("success", "成功", "Success"),
        Denied = ("denied", "拒绝", "Denied"),
        Failure = ("failure", "失败", "Failure"),
    }
}

coded_enum! {
    /// A kind of record the mobile app keeps offline and syncs (FIELDWORK.md §3).
    pub enum SyncEntity: "sync_entity" {
        Client = ("client", "服务对象", "Client"),
        Household = ("household", "家庭", "Household"),
        Case = ("case", "个案", "Case"),
        Session = ("session", "服务记录", "Service session"),
        RosterEntry = ("roster_entry", "台账条目", "Roster entry"),
        Group = ("group", "小组", "Group"),
        Review = ("review", "审核", "Review"),
    }
}

coded_enum! {
    /// What a pulled change tells the device to do with its copy.
    pub enum SyncOp: "sync_op" {
        Upsert = ("upsert", "新增或更新", "Insert or update"),
        Remove = ("remove", "删除本地副本", "Remove the local copy"),
    }
}

coded_enum! {
    /// What a pushed mutation asks for.
    pub enum MutationOp: "mutation_op" {
        Create = ("create", "新建", "Create"),
        Update = ("update", "修改", "Update"),
        Delete = ("delete", "删除", "Delete"),
        Transition = ("transition", "流程操作", "Case transition"),
    }
}

coded_enum! {
    /// What became of a pushed mutation.
    pub enum MutationStatus: "mutation_status" {
        Applied = ("applied", "已应用", "Applied"),
        Merged = ("merged", "已合并", "Merged"),
        Conflict = ("conflict", "冲突", "Conflict"),
        Rejected = ("rejected", "被拒绝", "Rejected"),
        Duplicate = ("duplicate", "重复提交", "Duplicate"),
    }
}

/// Every coded enum as `(name, labels)`, for `GET /reference`.
pub fn reference_data() -> Vec<(&'static str, Vec<super::labels::Label>)> {
    use super::labels::Coded;
    fn entry<T: Coded>() -> (&'static str, Vec<super::labels::Label>) {
        (T::NAME, T::labels())
    }
    vec![
        entry::<Tier>(),
        entry::<UnitStatus>(),
        entry::<Role>(),
        entry::<Certification>(),
        entry::<Gender>(),
        entry::<IdType>(),
        entry::<ClientCategory>(),
        entry::<SelfCare>(),
        entry::<LivingArrangement>(),
        entry::<DisabilityCategory>(),
        entry::<HouseholdRelation>(),
        entry::<RiskLevel>(),
        entry::<CaseSource>(),
        entry::<ServiceDomain>(),
        entry::<CaseStatus>(),
        entry::<CaseAction>(),
        entry::<ClosureReason>(),
        entry::<ReviewKind>(),
        entry::<ReviewStatus>(),
        entry::<ReviewDecision>(),
        entry::<AssessmentSource>(),
        entry::<GoalStatus>(),
        entry::<EvaluationRecommendation>(),
        entry::<ReferralDirection>(),
        entry::<ReferralStatus>(),
        entry::<SessionMethod>(),
        entry::<ContactMode>(),
        entry::<AttendanceStatus>(),
        entry::<CommunityKind>(),
        entry::<LinkagePartner>(),
        entry::<GroupType>(),
        entry::<GroupStatus>(),
        entry::<ServiceType>(),
        entry::<Programme>(),
        entry::<LeaveReason>(),
        entry::<PopulationGroup>(),
        entry::<ConsentRelation>(),
        entry::<ConsentScope>(),
        entry::<VisitMode>(),
        entry::<VisitAction>(),
        entry::<NeedFound>(),
        entry::<LevelChangeStatus>(),
        entry::<ProposalDecision>(),
        entry::<AlertKind>(),
        entry::<AlertStatus>(),
        entry::<SupervisionFormat>(),
        entry::<SupervisionFunction>(),
        entry::<AuditOutcome>(),
        entry::<SyncEntity>(),
        entry::<SyncOp>(),
        entry::<MutationOp>(),
        entry::<MutationStatus>(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::labels::Coded;

    #[test]
    fn codes_round_trip_and_are_unique_per_enum() {
        for (name, labels) in reference_data() {
            let mut codes: Vec<_> = labels.iter().map(|l| l.code).collect();
            let n = codes.len();
            codes.sort_unstable();
            codes.dedup();
            assert_eq!(codes.len(), n, "duplicate code in {name}");
            assert!(labels.iter().all(|l| !l.zh.is_empty() && !l.en.is_empty()));
        }
        assert_eq!(CaseStatus::from_code("follow_up"), Some(CaseStatus::FollowUp));
        assert_eq!("self".parse::<HouseholdRelation>(), Ok(HouseholdRelation::SelfHead));
        assert!("nope".parse::<Role>().is_err());
    }

    #[test]
    fn reference_names_are_unique() {
        let mut names: Vec<_> = reference_data().into_iter().map(|(n, _)| n).collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n);
    }

    #[test]
    fn tier_children() {
        assert!(Tier::Center.child_allowed(Tier::Center));
        assert!(Tier::Center.child_allowed(Tier::County));
        assert!(!Tier::Center.child_allowed(Tier::Township));
        assert!(Tier::County.child_allowed(Tier::Township));
        assert!(!Tier::County.child_allowed(Tier::County));
        assert!(Tier::Township.child_allowed(Tier::Village));
        assert!(!Tier::Village.child_allowed(Tier::Village));
    }
}
