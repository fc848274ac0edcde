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
{{- else if and .Values.receiver.ingress.enabled .Values.receiver.ingress.host -}}{{ ternary "https" .Values.urlScheme .Values.receiver.ingress.tls.enabled }}://{{ .Values.receiver.ingress.host }}
{{- else -}}{{ include "dynokube.receiverUrl" . }}{{- end -}}
{{- end -}}

{{/* Apps' URLs: https when a certificate of the chart's covers their default domain, on that scheme's port. */}}
{{- define "dynokube.appScheme" -}}
{{- if or .Values.tls.enabled .Values.tls.issuer }}https{{ else }}{{ .Values.urlScheme }}{{ end -}}
{{- end -}}
{{- define "dynokube.appPort" -}}
{{- if eq (include "dynokube.appScheme" .) .Values.urlScheme }}{{ .Values.urlPort }}{{ else }}{{ .Values.urlHttpsPort }}{{ end -}}
{{- end -}}

{{/* The bundled registry's credentials (generated), when it has them. */}}
{{- define "dynokube.registryAuth" -}}
{{- if and .Values.registry.enabled .Values.registry.auth.enabled (not .Values.externalRegistry.host) }}{{ include "dynokube.fullname" . }}-registry-auth{{ end -}}
{{- end -}}

{{/* The Secret, in each app namespace, dynos pull with: the external registry's, or the operator's copy of the bundled one's. */}}
{{- define "dynokube.pullSecret" -}}
{{- if .Values.externalRegistry.host }}{{ .Values.externalRegistry.pullSecret }}{{ else if include "dynokube.registryAuth" . }}{{ include "dynokube.fullname" . }}-registry{{ end -}}
{{- end -}}

{{/* The Secret, in each app namespace, builds push with. */}}
{{- define "dynokube.pushSecret" -}}
{{- if .Values.externalRegistry.host }}{{ .Values.externalRegistry.credentialsSecret }}{{ else }}{{ include "dynokube.pullSecret" . }}{{ end -}}
{{- end -}}

{{/* A cert-manager annotation for an issuer written NAME (a ClusterIssuer) or KIND/NAME. */}}
{{- define "dynokube.issuerAnnotation" -}}
{{- $parts := splitList "/" . -}}
{{- if eq (len $parts) 2 }}{{ ternary "cert-manager.io/issuer" "cert-manager.io/cluster-issuer" (eq (first $parts) "Issuer") }}: {{ last $parts | quote }}
{{- else }}cert-manager.io/cluster-issuer: {{ . | quote }}{{ end -}}
{{- end -}}

{{/* Scheduling and annotations for every pod the chart runs. */}}
{{- define "dynokube.podPlacement" -}}
{{- with .Values.nodeSelector }}
nodeSelector: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- end -}}

{{/* ClusterRole for every namespace, Role when confined to watchNamespace. */}}
{{- define "dynokube.roleKind" -}}{{ if .Values.watchNamespace }}Role{{ else }}ClusterRole{{ end }}{{- end -}}

{{- define "dynokube.podSecurity" -}}
{{ toYaml .Values.podSecurityContext }}
{{- end -}}

{{- define "dynokube.containerSecurity" -}}
{{ toYaml .Values.securityContext }}
{{- end -}}
