"""The operations smsvoice-sim simulates, recorded once: the 110 of botocore's model for
`pinpoint-sms-voice-v2` it was built against. boto3 is not pinned and AWS adds
operations every few months: an operation a newer model has and this list lacks answers
UNKNOWN_OPERATION saying it is newer than what smsvoice-sim covers, and
tests/test_every_operation.py reports it by name, while every operation listed here
must keep working."""

from __future__ import annotations

COVERED_OPERATIONS = frozenset((
    "AssociateOriginationIdentity", "AssociateProtectConfiguration", "CarrierLookup",
    "CreateConfigurationSet", "CreateEventDestination", "CreateNotifyConfiguration",
    "CreateOptOutList", "CreatePool", "CreateProtectConfiguration", "CreateRcsAgent",
    "CreateRegistration", "CreateRegistrationAssociation", "CreateRegistrationAttachment",
    "CreateRegistrationVersion", "CreateVerifiedDestinationNumber",
    "DeleteAccountDefaultProtectConfiguration", "DeleteConfigurationSet",
    "DeleteDefaultMessageType", "DeleteDefaultSenderId", "DeleteEventDestination", "DeleteKeyword",
    "DeleteMediaMessageSpendLimitOverride", "DeleteNotifyConfiguration",
    "DeleteNotifyMessageSpendLimitOverride", "DeleteOptOutList", "DeleteOptedOutNumber",
    "DeletePool", "DeleteProtectConfiguration", "DeleteProtectConfigurationRuleSetNumberOverride",
    "DeleteRcsAgent", "DeleteRcsMessageSpendLimitOverride", "DeleteRegistration",
    "DeleteRegistrationAttachment", "DeleteRegistrationFieldValue", "DeleteResourcePolicy",
    "DeleteTextMessageSpendLimitOverride", "DeleteVerifiedDestinationNumber",
    "DeleteVoiceMessageSpendLimitOverride", "DescribeAccountAttributes", "DescribeAccountLimits",
    "DescribeConfigurationSets", "DescribeKeywords", "DescribeNotifyConfigurations",
    "DescribeNotifyTemplates", "DescribeOptOutLists", "DescribeOptedOutNumbers",
    "DescribePhoneNumbers", "DescribePools", "DescribeProtectConfigurations",
    "DescribeRcsAgentCountryLaunchStatus", "DescribeRcsAgents", "DescribeRegistrationAttachments",
    "DescribeRegistrationFieldDefinitions", "DescribeRegistrationFieldValues",
    "DescribeRegistrationSectionDefinitions", "DescribeRegistrationTypeDefinitions",
    "DescribeRegistrationVersions", "DescribeRegistrations", "DescribeSenderIds",
    "DescribeSpendLimits", "DescribeVerifiedDestinationNumbers", "DisassociateOriginationIdentity",
    "DisassociateProtectConfiguration", "DiscardRegistrationVersion",
    "GetProtectConfigurationCountryRuleSet", "GetResourcePolicy", "ListAvailablePhoneNumbers",
    "ListNotifyCountries", "ListPoolOriginationIdentities",
    "ListProtectConfigurationRuleSetNumberOverrides", "ListRegistrationAssociations",
    "ListTagsForResource", "PutKeyword", "PutMessageFeedback", "PutOptedOutNumber",
    "PutProtectConfigurationRuleSetNumberOverride", "PutRegistrationFieldValue",
    "PutResourcePolicy", "ReleasePhoneNumber", "ReleaseSenderId", "RequestPhoneNumber",
    "RequestSenderId", "SendDestinationNumberVerificationCode", "SendMediaMessage",
    "SendNotifyTextMessage", "SendNotifyVoiceMessage", "SendRcsMessage", "SendTextMessage",
    "SendVoiceMessage", "SetAccountDefaultProtectConfiguration", "SetDefaultMessageFeedbackEnabled",
    "SetDefaultMessageType", "SetDefaultSenderId", "SetMediaMessageSpendLimitOverride",
    "SetNotifyMessageSpendLimitOverride", "SetRcsMessageSpendLimitOverride",
    "SetTextMessageSpendLimitOverride", "SetVoiceMessageSpendLimitOverride",
    "SubmitRegistrationVersion", "TagResource", "UntagResource", "UpdateEventDestination",
    "UpdateNotifyConfiguration", "UpdatePhoneNumber", "UpdatePool", "UpdateProtectConfiguration",
    "UpdateProtectConfigurationCountryRuleSet", "UpdateRcsAgent", "UpdateSenderId",
    "VerifyDestinationNumber",
))
