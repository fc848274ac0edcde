{{- define "dynokube.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}{{ .Release.Name | trunc 50 | trimSuffix "-" }}{{- else -}}{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" }}{{- end -}}
{{- end -}}

{{- define "dynokube.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "dynokube.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "dynokube.image" -}}
{{ .root.Values.image.repository }}/{{ .name }}:{{ .root.Values.image.tag | default .root.Chart.AppVersion }}
{{- end -}}

{{/* The registry builds push to: the in-cluster one, or the external one. */}}
{{- define "dynokube.registry" -}}
{{- if .Values.externalRegistry.host -}}{{ .Values.externalRegistry.host }}{{- else -}}{{ include "dynokube.fullname" . }}-registry.{{ .Release.Namespace }}.svc.cluster.local:{{ .Values.registry.service.port }}{{- end -}}
{{- end -}}

{{- define "dynokube.pullRegistry" -}}
{{- if .Values.externalRegistry.host -}}{{ .Values.externalRegistry.pullHost }}{{- else -}}{{ .Values.registry.pullHost }}{{- end -}}
{{- end -}}

{{- define "dynokube.receiverUrl" -}}
{{- if .Values.receiver.publicUrl -}}{{ .Values.receiver.publicUrl }}{{- else -}}http://{{ include "dynokube.fullname" . }}-receiver.{{ .Release.Namespace }}.svc.cluster.local:{{ .Values.receiver.service.port }}{{- end -}}
{{- end -}}

{{/* Where developers push: receiver.gitUrl, else the receiver's Ingress host, else the URL builds use. */}}
{{- define "dynokube.gitUrl" -}}
{{- if .Values.receiver.gitUrl -}}{{ .Values.receiver.gitUrl }}
{{- else if and .Values.receiver.ingress.enabled .Values.receiver.ingress.host -}}{{ .Values.urlScheme }}://{{ .Values.receiver.ingress.host }}
{{- else -}}{{ include "dynokube.receiverUrl" . }}{{- end -}}
{{- end -}}

{{/* ClusterRole for every namespace, Role when confined to watchNamespace. */}}
{{- define "dynokube.roleKind" -}}{{ if .Values.watchNamespace }}Role{{ else }}ClusterRole{{ end }}{{- end -}}

{{- define "dynokube.podSecurity" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "dynokube.containerSecurity" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end -}}
